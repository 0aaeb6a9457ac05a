/**
 * DCE/RPC calls of a corpus capture as tshark sees them, for the names and argument-decoder
 * tests: every request / response / fault PDU (connection-oriented, after tshark's TCP and SMB
 * reassembly) with its raw bytes, the interface UUID it was bound to (from the bind /
 * alter_context seen earlier on the same TCP stream and pipe), its opnum, and the fields of
 * tshark's interface layer (`svcctl.*`, `samr.*` …) including tshark's operation name.
 */
import { corpusFile } from './corpus';
import { requireTshark } from './tshark-messages';
import { tsharkCached } from './tshark-cache';

export interface TsharkCall {
  frame: number;
  /** 0 request, 2 response, 3 fault */
  pktType: number;
  stream: string;
  /** carried by SMB (a named pipe), not plain TCP */
  overSmb: boolean;
  fid: string;
  ctxId: number;
  callId: number;
  opnum: number;
  /** bound abstract syntax, lower-case; undefined when the bind was not seen */
  uuid?: string;
  /** the context was accepted with the NDR64 transfer syntax */
  ndr64: boolean;
  /** tshark's interface layer name (`svcctl`), undefined when tshark has none */
  layer?: string;
  /** tshark's operation name for the opnum (its `<layer>.opnum` value string) */
  tsharkOp?: string;
  /** the PDU's bytes, header included */
  raw: Buffer;
  /** flattened fields of the dcerpc and interface layers: name → values in order */
  fields: Map<string, string[]>;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function flatten(o: Json, into: Map<string, string[]>, key = ''): void {
  if (Array.isArray(o)) for (const x of o) flatten(x, into, key);
  else if (o !== null && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) if (!k.endsWith('_raw')) flatten(v, into, k);
  } else if (key) {
    const l = into.get(key);
    if (l) l.push(String(o));
    else into.set(key, [String(o)]);
  }
}

function list<T>(x: T | T[] | undefined): T[] {
  return x === undefined ? [] : Array.isArray(x) ? x : [x];
}

let opNames: Map<string, string> | undefined;

/** tshark's value strings of every `<layer>.opnum` field: "svcctl.opnum:12" → "CreateServiceW". */
async function tsharkOpNames(): Promise<Map<string, string>> {
  if (opNames) return opNames;
  const stdout = await tsharkCached(null, ['-G', 'values']);
  const m = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const c = line.split('\t');
    if (c[0] === 'V' && c[1].endsWith('.opnum')) m.set(`${c[1]}:${Number(c[2])}`, c[3]);
  }
  opNames = m;
  return m;
}

/** tshark's JSON of a capture's DCE/RPC requests/responses/faults/binds (cached: tshark-cache.ts) */
function tsharkJson(rel: string): Promise<string> {
  return tsharkCached(corpusFile(rel), ['-Q', '-n', '-Y', 'dcerpc.ver == 5 && dcerpc.pkt_type in {0,2,3,11,12,14,15}', '-T', 'json', '-x', '--no-duplicate-keys']);
}

const NDR64_SYNTAX = '71710533-beba-4937-8319-b5dbef9ccc36';

const firstOf = (m: Map<string, string[]>, k: string): string | undefined => m.get(k)?.[0];

/** The calls' PDUs of one corpus capture (path relative to the corpus root). */
let tsharkChecked = false;

export async function tsharkCalls(rel: string): Promise<TsharkCall[]> {
  if (!tsharkChecked) requireTshark(); // a missing tshark fails loudly (once: it costs a process)
  tsharkChecked = true;
  const names = await tsharkOpNames();
  const pkts = JSON.parse(await tsharkJson(rel)) as { _source: { layers: Record<string, Json> } }[];
  const bound = new Map<string, string>(); // stream/fid/ctx → uuid
  const offered = new Map<string, string[]>(); // stream/fid → ctx ids of the last bind/alter_context
  const ndr64 = new Set<string>(); // stream/fid/ctx accepted with NDR64
  const requests = new Map<string, TsharkCall>(); // stream/fid/call → request
  const out: TsharkCall[] = [];
  for (const p of pkts) {
    const L = p._source.layers;
    const frameF = new Map<string, string[]>();
    flatten(L.frame, frameF);
    const frame = Number(firstOf(frameF, 'frame.number'));
    const tf = new Map<string, string[]>();
    flatten(L.tcp ?? null, tf);
    const stream = firstOf(tf, 'tcp.stream') ?? '?';
    const sf = new Map<string, string[]>();
    flatten(L.smb2 ?? L.smb ?? null, sf);
    const fid = firstOf(sf, 'smb2.fid') ?? firstOf(sf, 'smb.fid') ?? '';
    const raws = list(L.dcerpc_raw as Json[] | Json[][]);
    const rawList: Json[][] = typeof raws[0] === 'string' ? [raws as Json[]] : (raws as Json[][]);
    const layers = list(L.dcerpc as Json);
    // interface layers: those carrying an `<abbrev>.opnum` field (rpc_netlogon has netlogon.opnum), in order
    const ifaceLayers: { name: string; body: Json }[] = [];
    for (const [k, v] of Object.entries(L)) {
      if (k.endsWith('_raw') || k === 'dcerpc') continue;
      for (const body of list(v)) {
        if (!body || typeof body !== 'object' || Array.isArray(body)) continue;
        const opField = Object.keys(body).find((f) => f.endsWith('.opnum'));
        if (opField) ifaceLayers.push({ name: opField.slice(0, -'.opnum'.length), body });
      }
    }
    let ifaceIdx = 0;
    layers.forEach((layer, i) => {
      const f = new Map<string, string[]>();
      flatten(layer, f);
      const pktType = Number(firstOf(f, 'dcerpc.pkt_type'));
      const raw = Buffer.from(String(rawList[i]?.[0] ?? ''), 'hex');
      if (pktType === 11 || pktType === 14) {
        const ctx = f.get('dcerpc.cn_ctx_id') ?? [];
        const uu = f.get('dcerpc.cn_bind_to_uuid') ?? [];
        ctx.forEach((c, j) => { if (uu[j]) bound.set(`${stream}/${fid}/${c}`, uu[j].toLowerCase()); });
        offered.set(`${stream}/${fid}`, ctx);
        offered.set(stream, [fid, ...ctx]); // a bind_ack read back without the pipe's FileId
        return;
      }
      if (pktType === 12 || pktType === 15) {
        const last = offered.get(stream) ?? [''];
        const pipe = offered.has(`${stream}/${fid}`) ? fid : last[0];
        const ctx = offered.get(`${stream}/${pipe}`) ?? [];
        const results = f.get('dcerpc.cn_ack_result') ?? [];
        const syntaxes = f.get('dcerpc.cn_ack_trans_id') ?? [];
        ctx.forEach((c, j) => {
          if (results[j] === '0' && syntaxes[j] === NDR64_SYNTAX) ndr64.add(`${stream}/${pipe}/${c}`);
        });
        return;
      }
      const ctxId = Number(firstOf(f, 'dcerpc.cn_ctx_id') ?? -1);
      const callId = Number(firstOf(f, 'dcerpc.cn_call_id') ?? -1);
      const call: TsharkCall = { frame, pktType, stream, overSmb: L.smb2 !== undefined || L.smb !== undefined, fid, ctxId, callId, opnum: -1, ndr64: false, raw, fields: f };
      if (pktType === 0) {
        call.opnum = Number(firstOf(f, 'dcerpc.opnum'));
        call.uuid = bound.get(`${stream}/${fid}/${ctxId}`);
        call.ndr64 = ndr64.has(`${stream}/${fid}/${ctxId}`);
        requests.set(`${stream}/${fid}/${callId}`, call);
        requests.set(`${stream}//${callId}`, call);
      } else {
        const req = requests.get(`${stream}/${fid}/${callId}`) ?? requests.get(`${stream}//${callId}`);
        call.opnum = req?.opnum ?? -1;
        call.uuid = req?.uuid ?? bound.get(`${stream}/${fid}/${ctxId}`);
        call.ndr64 = req?.ndr64 ?? ndr64.has(`${stream}/${fid}/${ctxId}`);
      }
      // the interface layer of this PDU: the next one whose opnum matches (faults have none)
      const il = pktType === 3 ? undefined : ifaceLayers[ifaceIdx];
      if (il) {
        const lf = new Map<string, string[]>();
        flatten(il.body, lf);
        const op = Number(firstOf(lf, `${il.name}.opnum`));
        if (op === call.opnum || call.opnum < 0) {
          ifaceIdx++;
          call.layer = il.name;
          call.tsharkOp = names.get(`${il.name}.opnum:${op}`);
          if (call.opnum < 0) call.opnum = op;
          for (const [k, v] of lf) call.fields.set(k, v);
        }
      }
      out.push(call);
    });
  }
  return out;
}

/** Captures of the corpus that carry connection-oriented DCE/RPC (tshark's view). */
export const DCERPC_CAPTURES = [
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
  'dcerpc/sv_dcerpc_dcerpc-dcepayload-16.pcap',
  'dcerpc/sv_dcerpc_dcerpc-dcepayload-17.pcap',
  'dcerpc/sv_dcerpc_dcerpc-dcepayload-18.pcap',
  'dcerpc/sv_dcerpc_dcerpc-dcepayload-19.pcap',
  'dcerpc/sv_dcerpc_dcerpc-dcepayload-20.pcap',
  'dcerpc/sv_dcerpc_zerologon.pcap',
  'dcerpc/zeek_20-fids-no-close.pcap',
  'dcerpc/zeek_20-fids.pcap',
  'dcerpc/zeek_bind-ack-no-inband-null.pcap',
  'dcerpc/zeek_cs_window7-join_stream092.pcap',
  'dcerpc/zeek_dce_rpc_netlogon.pcapng',
  'dcerpc/zeek_dce_rpc_ntlm.pcapng',
  'dcerpc/zeek_kerberos135_auth.pcapng',
  'dcerpc/zeek_mapi.pcap',
  'dcerpc/zeek_ntlm-empty-av-sequence.pcap',
  'dcerpc/zeek_ntlm-unterminated-av-sequence.pcap',
  'suricata-verify/dcerpc-smb-test-01.pcap',
  'suricata-verify/dcerpc_dcerpc-dce-iface-01.pcap',
  'suricata-verify/dcerpc_dcerpc-smb-ctxid.pcap',
  'suricata-verify/filestore-filecontainer-smb1-data-offset.pcap',
  'suricata-verify/smb-dce_iface.pcap',
  'suricata-verify/smb-filename.pcap',
  'suricata-verify/smb2-04.pcap',
  'suricata-verify/smb2-06.pcap',
  'suricata-verify/smb2-07.pcap',
  'suricata-verify/smb2-ntlmssp-negotiateflags.pcap',
  'suricata-verify/smb2-ntlmssp-order.pcap',
  'zeek/dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap',
  'zeek/raw_ntlm_in_smb.pcap',
  'zeek/smb2.pcap',
  'zeek/smb2-zero-byte-error-ioctl.pcapng',
  'zeek/smb_v2_only_non_zero_reserved1.pcap',
];
