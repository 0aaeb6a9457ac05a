/**
 * PDU decoding against tshark, PDU by PDU, on every corpus capture with connection-oriented
 * DCE/RPC (SMB pipes and TCP): header, bind/alter_context contexts and syntaxes, bind_ack results
 * and secondary address, request/response/fault fields, auth trailer.
 */
import t from 'tap';
import { decodePdu, negotiatedContexts, peekFragLength, type BindPdu, type Pdu } from '../dissectors/dcerpc/pdu';
import { field, tsharkPdus, type TsharkPdu } from './helpers/dcerpc-tshark';

export const CO_CAPTURES = [
  'suricata-verify/smb2-04.pcap',
  'suricata-verify/smb2-06.pcap',
  'suricata-verify/smb2-07.pcap',
  'suricata-verify/dcerpc-smb-test-01.pcap',
  'suricata-verify/dcerpc_dcerpc-dce-iface-01.pcap',
  'suricata-verify/dcerpc_dcerpc-smb-ctxid.pcap',
  'suricata-verify/smb-dce_iface.pcap',
  'dcerpc/sv_dcerpc-issue-7187-01.pcap',
  'dcerpc/sv_dcerpc_dce-gap-handling.pcap',
  'dcerpc/sv_dcerpc_dcerpc-3109.pcap',
  'dcerpc/sv_dcerpc_dcerpc-auth3-5133.pcap',
  'dcerpc/sv_dcerpc_dcerpc-bind-no-frag-flag.pcap',
  'dcerpc/sv_dcerpc_dcerpc-ctxids.pcap',
  'dcerpc/sv_dcerpc_dcerpc-dce-iface-02.pcap',
  'dcerpc/sv_dcerpc_dcerpc-dce-iface-many.pcap',
  'dcerpc/sv_dcerpc_dcerpc-dce-stub-data-02.pcap',
  'dcerpc/sv_dcerpc_dcerpc-dce-stub-data-03.pcap',
  'dcerpc/sv_dcerpc_dcerpc-dce-stub-data-04.pcap',
  'dcerpc/sv_dcerpc_dcerpc-dce-stub-data-05.pcap',
  'dcerpc/sv_dcerpc_dcerpc-dcepayload-15.pcap',
  'dcerpc/sv_dcerpc_zerologon.pcap',
  'dcerpc/zeek_20-fids.pcap',
  'dcerpc/zeek_bind-ack-no-inband-null.pcap',
  'dcerpc/zeek_cs_window7-join_stream092.pcap',
  'dcerpc/zeek_dce_rpc_netlogon.pcapng',
  'dcerpc/zeek_dce_rpc_ntlm.pcapng',
  'dcerpc/zeek_kerberos135_auth.pcapng',
  'dcerpc/zeek_mapi.pcap',
  'dcerpc/zeek_ntlm-empty-av-sequence.pcap',
];

const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
const all = (p: TsharkPdu, k: string): string[] => p.fields.get(k) ?? [];

/** What our decode says, in tshark's field names and spelling. */
function ours(d: Pdu): Record<string, string | number | string[] | undefined> {
  const o: Record<string, string | number | string[] | undefined> = {
    'dcerpc.pkt_type': d.ptype,
    'dcerpc.cn_call_id': d.callId,
    'dcerpc.cn_frag_len': d.fragLength,
    'dcerpc.cn_auth_len': d.authLength,
    'dcerpc.cn_flags.first_frag': d.firstFrag ? 1 : 0,
    'dcerpc.cn_flags.last_frag': d.lastFrag ? 1 : 0,
    'dcerpc.drep.byteorder': d.bigEndian ? 0 : 1,
  };
  if (d.auth) {
    o['dcerpc.auth_type'] = d.auth.authType;
    o['dcerpc.auth_level'] = d.auth.authLevel;
    o['dcerpc.auth_pad_len'] = d.auth.padLength;
  }
  switch (d.type) {
    case 'bind':
    case 'alter_context':
      o['dcerpc.cn_max_xmit'] = d.maxXmitFrag;
      o['dcerpc.cn_num_ctx_items'] = d.contexts.length;
      o['dcerpc.cn_ctx_id'] = d.contexts.map((c) => String(c.ctxId));
      o['dcerpc.cn_bind_to_uuid'] = d.contexts.map((c) => c.abstract.uuid);
      o['dcerpc.cn_bind_if_ver'] = d.contexts.map((c) => c.abstract.version.split('.')[0]);
      o['dcerpc.cn_bind_if_ver_minor'] = d.contexts.map((c) => c.abstract.version.split('.')[1]);
      o['dcerpc.cn_bind_trans_id'] = d.contexts.flatMap((c) => c.transfer.map((x) => x.uuid));
      break;
    case 'bind_ack':
    case 'alter_context_resp':
      o['dcerpc.cn_max_recv'] = d.maxRecvFrag;
      o['dcerpc.cn_assoc_group'] = `0x${d.assocGroup.toString(16).padStart(8, '0')}`;
      o['dcerpc.cn_sec_addr'] = d.secondaryAddress; // tshark: '' for a lone NUL, absent when empty
      o['dcerpc.cn_ack_result'] = d.results.map((r) => String(r.result));
      o['dcerpc.cn_ack_trans_id'] = d.results.map((r) => r.transfer.uuid);
      break;
    case 'bind_nak':
      o['dcerpc.cn_reject_reason'] = d.rejectReason;
      break;
    case 'request':
      o['dcerpc.cn_alloc_hint'] = d.allocHint;
      o['dcerpc.cn_ctx_id'] = d.ctxId;
      o['dcerpc.opnum'] = d.opnum;
      o['dcerpc.obj_id'] = d.object ?? undefined;
      break;
    case 'response':
      o['dcerpc.cn_alloc_hint'] = d.allocHint;
      o['dcerpc.cn_ctx_id'] = d.ctxId;
      o['dcerpc.cn_cancel_count'] = d.cancelCount;
      break;
    case 'fault':
      o['dcerpc.cn_ctx_id'] = d.ctxId;
      o['dcerpc.cn_status'] = `0x${d.status.toString(16).padStart(8, '0')}`;
      break;
  }
  return o;
}

let total = 0;
for (const rel of CO_CAPTURES) {
  t.test(rel, (t) => {
    const pdus = tsharkPdus(rel).filter((p) => field(p, 'dcerpc.ver') === '5');
    t.ok(pdus.length > 0, 'tshark sees connection-oriented DCE/RPC');
    let compared = 0;
    for (const p of pdus) {
      const where = `frame ${p.frame}#${p.index}`;
      const fl = peekFragLength(p.raw, 0);
      t.equal(fl, num(field(p, 'dcerpc.cn_frag_len')), `${where} peekFragLength`);
      const d = decodePdu(p.raw);
      if (!d.ok) {
        t.fail(`${where}: ${d.reason} at ${d.offset}`);
        continue;
      }
      for (const [k, v] of Object.entries(ours(d))) {
        if (Array.isArray(v)) t.same(v, all(p, k), `${where} ${k}`);
        else if (typeof v === 'number') t.equal(v, num(field(p, k)), `${where} ${k}`);
        else if (k === 'dcerpc.cn_sec_addr') t.equal(v, field(p, k) ?? '', `${where} ${k}`);
        else t.equal(v, field(p, k), `${where} ${k}`);
      }
      if (d.type === 'request' || d.type === 'response') {
        // the stub excludes auth padding and trailer: its end is where the padding starts
        const pad = d.auth ? d.auth.padLength + 8 + d.authLength : 0;
        t.equal(d.stub.byteOffset - p.raw.byteOffset + d.stub.length + pad, d.fragLength, `${where} stub end`);
        t.equal(d.stub.buffer, p.raw.buffer, `${where} stub is a view`);
      }
      compared++;
    }
    total += compared;
    t.equal(compared, pdus.length, `${compared} PDUs compared`);
    t.end();
  });
}
t.test('negotiatedContexts: smb2-04 binds atsvc with NDR and NDR64 and the server accepts NDR64', (t) => {
  const pdus = tsharkPdus('suricata-verify/smb2-04.pcap').map((p) => decodePdu(p.raw));
  const bind = pdus.find((d) => d.ok && d.type === 'bind') as BindPdu;
  const ack = pdus.find((d) => d.ok && d.type === 'bind_ack');
  t.ok(bind && ack && ack.ok && ack.type === 'bind_ack');
  if (ack && ack.ok && ack.type === 'bind_ack') {
    t.same(negotiatedContexts(bind, ack), [
      { ctxId: 0, accepted: false, ndr64: false },
      { ctxId: 1, accepted: true, ndr64: true },
      { ctxId: 2, accepted: false, ndr64: false },
    ]);
  }
  t.end();
});

t.test('big-endian data representation: the same request with a big-endian header decodes to the same fields', (t) => {
  const le = tsharkPdus('suricata-verify/smb2-07.pcap').find((p) => p.raw[2] === 0 && p.raw.readUInt16LE(22) === 16)!.raw;
  const be = Buffer.from(le);
  be[4] = 0x00; // drep: big-endian integers, ASCII, IEEE
  be.writeUInt16BE(le.readUInt16LE(8), 8);
  be.writeUInt16BE(le.readUInt16LE(10), 10);
  be.writeUInt32BE(le.readUInt32LE(12), 12);
  be.writeUInt32BE(le.readUInt32LE(16), 16);
  be.writeUInt16BE(le.readUInt16LE(20), 20);
  be.writeUInt16BE(le.readUInt16LE(22), 22);
  const a = decodePdu(le);
  const b = decodePdu(be);
  t.ok(a.ok && b.ok && a.type === 'request' && b.type === 'request');
  if (a.ok && b.ok && a.type === 'request' && b.type === 'request') {
    t.equal(b.bigEndian, true);
    t.same([b.fragLength, b.callId, b.allocHint, b.ctxId, b.opnum, b.stub.length], [a.fragLength, a.callId, a.allocHint, a.ctxId, a.opnum, a.stub.length]);
  }
  t.end();
});

t.teardown(() => console.log(`# ${total} PDUs compared with tshark`));
