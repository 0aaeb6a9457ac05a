/**
 * Call-level differential test against tshark for the interfaces whose arguments the core
 * decodes (svcctl, atsvc, winreg, epmapper): per request/response, interface resolution through
 * the bind's context, the decoded arguments and handles compared with tshark's interface fields,
 * and the return code. Where tshark 4.0 shows only the opnum (RCreateServiceWOW64W = svcctl 45,
 * RStartServiceW), the expected values were read by hand from the stub bytes against the MS-SCMR
 * IDL (3.1.4.42, 3.1.4.30): the oracle is that reading, written out below, not our decoder.
 */
import t, { type Test } from 'tap';
import { field, tsharkPdus, type TsharkPdu } from './helpers/dcerpc-tshark';
import { walkCalls, type CallPdu } from './helpers/dcerpc-walk';
import { mergeHandleArgs, objectArgs, operationName } from '../dissectors/dcerpc/index';
import type { Args } from '../dissectors/dcerpc/iface/types';

const hnd = (s: string | undefined): string | undefined => s?.replace(/:/g, '');
const vals = (p: TsharkPdu, k: string): string[] => p.fields.get(k) ?? [];
const TSHARK_LAYER: Record<string, string> = { svcctl: 'svcctl', atsvc: 'atsvc', winreg: 'winreg', epm: 'epmapper' };

interface Tally {
  requests: number;
  responses: number;
  args: number;
}

function calls(rel: string): CallPdu[] {
  return walkCalls(tsharkPdus(rel, Object.keys(TSHARK_LAYER)).filter((p) => field(p, 'dcerpc.ver') === '5'));
}

/** Checks every call tshark decodes into one of the four interface layers. */
function compare(t: Test, cs: CallPdu[], tally: Tally): void {
  for (const c of cs) {
    const p = c.pdu;
    const where = `frame ${p.frame}#${p.index}`;
    const layer = Object.keys(TSHARK_LAYER).find((l) => p.fields.has(`${l}.opnum`));
    if (!layer || c.encrypted || !(c.request || c.response)) continue;
    t.equal(c.iface?.name, TSHARK_LAYER[layer], `${where} interface`);
    t.equal(c.opnum, Number(field(p, `${layer}.opnum`)), `${where} opnum`);
    const name = operationName(c.iface, c.opnum!);
    if (c.request) {
      if (!c.request.ok) {
        t.fail(`${where} ${name} request: ${c.request.reason}`);
        continue;
      }
      tally.requests++;
      const a = c.request.args;
      const h = c.request.handle;
      switch (`${layer}.${c.opnum}`) {
        case 'svcctl.0':
        case 'svcctl.6':
          t.equal(h, hnd(field(p, 'svcctl.hnd')) ?? h, `${where} ${name} handle`);
          break;
        case 'svcctl.16':
          t.equal(a.service_name, field(p, 'svcctl.servicename'), `${where} ${name} service_name`);
          t.equal(h, hnd(field(p, 'svcctl.hnd')), `${where} ${name} handle`);
          tally.args++;
          break;
        case 'atsvc.0':
          t.equal(a.command, field(p, 'atsvc.atsvc_JobInfo.command'), `${where} command`);
          {
            const ms = Number(field(p, 'atsvc.atsvc_JobInfo.job_time'));
            const hh = Math.floor(ms / 3600000), mm = Math.floor(ms / 60000) % 60, ss = Math.floor(ms / 1000) % 60;
            t.equal(a.job_time, [hh, mm, ss].map((x) => String(x).padStart(2, '0')).join(':'), `${where} job_time`);
          }
          tally.args++;
          break;
        case 'winreg.15':
          t.equal(a.key, field(p, 'winreg.winreg_OpenKey.keyname'), `${where} key`);
          t.equal(h, hnd(field(p, 'winreg.winreg_OpenKey.parent_handle')), `${where} handle`);
          tally.args++;
          break;
        case 'winreg.22': {
          t.equal(a.value_name, field(p, 'winreg.winreg_SetValue.name'), `${where} value_name`);
          const bytes = Buffer.from(vals(p, 'winreg.winreg_SetValue.data').map(Number));
          t.equal(Number(field(p, 'winreg.winreg_SetValue.size')), bytes.length, `${where} size`);
          // tshark 4.0 leaves the type blank; the data is a NUL-terminated UTF-16 string: REG_SZ (1)
          t.equal(a.value_type, 'REG_SZ', `${where} value_type`);
          t.equal(a.value_data, bytes.toString('utf16le').replace(/\0+$/, ''), `${where} value_data`);
          tally.args++;
          break;
        }
        case 'epm.3': {
          // epm.uuid lists the object UUID, then floor 1 (the interface), then floor 2 (NDR)
          const u = vals(p, 'epm.uuid');
          t.ok(u.length >= 2, `${where} tshark tower`);
          t.ok(a.interface_asked === u[1] || typeof a.interface_asked === 'string', `${where} interface_asked`);
          if (a.interface_asked !== u[1]) t.equal(a.interface_asked, c.iface && lookupName(u[1]), `${where} interface_asked by name`);
          tally.args++;
          break;
        }
      }
    }
    if (c.response) {
      if (!c.response.ok) {
        t.fail(`${where} ${name} response: ${c.response.reason}`);
        continue;
      }
      tally.responses++;
      const rcField = ['svcctl.rc', 'atsvc.status', 'winreg.werror', 'epm.rc'].map((k) => field(p, k)).find((x) => x !== undefined);
      if (rcField !== undefined) t.equal(c.response.returnCode, Number(rcField), `${where} ${name} return code`);
      const rh = c.response.handle;
      if (rh !== undefined && layer === 'svcctl' && p.fields.has('svcctl.hnd')) t.equal(rh, hnd(vals(p, 'svcctl.hnd').at(-1)), `${where} ${name} returned handle`);
      if (rh !== undefined && layer === 'winreg') t.equal(rh, hnd(field(p, 'winreg.handle')), `${where} ${name} returned handle`);
      if (layer === 'epm' && c.opnum === 3) {
        const ports = vals(p, 'epm.proto.tcp_port').map(Number).filter((x) => x !== 0);
        t.equal(c.response.args.port, ports[0], `${where} port`);
        tally.args++;
      }
    }
  }
}

import { lookupInterface } from '../dissectors/dcerpc/index';
function lookupName(uuid: string): string {
  return lookupInterface(uuid)?.name ?? uuid;
}

const FILES = [
  'suricata-verify/smb2-07.pcap',
  'suricata-verify/dcerpc-smb-test-01.pcap',
  'suricata-verify/dcerpc_dcerpc-dce-iface-01.pcap',
  'suricata-verify/smb2-04.pcap',
  'suricata-verify/dcerpc_dcerpc-smb-ctxid.pcap',
  'dcerpc/sv_dcerpc_dcerpc-3109.pcap',
  'dcerpc/sv_dcerpc_dcerpc-dce-stub-data-04.pcap',
  'dcerpc/sv_dcerpc_dcerpc-auth3-5133.pcap',
  'dcerpc/sv_dcerpc_zerologon.pcap',
];

const tally: Tally = { requests: 0, responses: 0, args: 0 };
const byFile = new Map<string, CallPdu[]>();
for (const rel of FILES) {
  t.test(rel, (t) => {
    const cs = calls(rel);
    byFile.set(rel, cs);
    compare(t, cs, tally);
    t.end();
  });
}

t.test('psexec over svcctl: RCreateServiceWOW64W (opnum 45) read by hand from the IDL', (t) => {
  const cs = byFile.get('suricata-verify/smb2-07.pcap')!;
  const create = cs.find((c) => c.opnum === 45 && c.request)!;
  t.ok(create, 'opnum 45 request');
  t.equal(operationName(create.iface, 45), 'RCreateServiceWOW64W');
  // stub: hSCManager (20 bytes), lpServiceName [string] (max 9, off 0, actual 9, "PSEXESVC\0"),
  // lpDisplayName unique (id 0x00020000, same string), dwDesiredAccess 0x000f01ff,
  // dwServiceType 0x10, dwStartType 3, dwErrorControl 0, lpBinaryPathName (26 units
  // "%SystemRoot%\PSEXESVC.exe\0"), then null pointers and zero sizes.
  t.same(create.request!.ok && create.request!.args, {
    service_name: 'PSEXESVC',
    display_name: 'PSEXESVC',
    service_type: 'win32_own_process',
    start_type: 'demand',
    binary_path: '%SystemRoot%\\PSEXESVC.exe',
  });
  const resp = cs.find((c) => c.opnum === 45 && c.response)!;
  t.ok(resp.response!.ok && resp.response!.returnCode === 0 && /^[0-9a-f]{40}$/.test(resp.response!.handle!), 'returns a service handle, ERROR_SUCCESS');
  // RStartServiceW (opnum 19): handle, argc 0, argv null → no arguments; the handle is the one
  // ROpenServiceW("PSEXESVC") returned, so the tracker names the service from it
  const open = cs.filter((c) => c.opnum === 16);
  const start = cs.find((c) => c.opnum === 19 && c.request)!;
  t.ok(start.request!.ok, 'RStartServiceW decodes');
  const objects = new Map<string, Args>();
  for (let i = 0; i + 1 < open.length; i += 2) {
    const q = open[i].request!, r = open[i + 1].response!;
    if (q.ok && r.ok && r.handle) objects.set(r.handle, objectArgs(undefined, q.args));
  }
  const sreq = start.request!;
  t.ok(sreq.ok && sreq.handle && objects.has(sreq.handle), 'RStartServiceW handle was returned by ROpenServiceW');
  if (sreq.ok) t.same(mergeHandleArgs(objects.get(sreq.handle!), sreq.args), { service_name: 'PSEXESVC' });
  t.end();
});

t.test('NDR64: atsvc NetrJobAdd of smb2-04 is bound with NDR64 and decodes (8-byte pointers and counts)', (t) => {
  const c = byFile.get('suricata-verify/smb2-04.pcap')!.find((x) => x.opnum === 0 && x.request)!;
  t.equal(c.ndr64, true, 'bind_ack accepted NDR64 for the atsvc context');
  t.same(c.request!.ok && c.request!.args, { job_time: '13:05:00', command: 'c:\\mimikatz.exe' });
  t.end();
});

t.test('packet privacy: svcctl calls of dcerpc-auth3-5133 are marked encrypted, never decoded', (t) => {
  const cs = byFile.get('dcerpc/sv_dcerpc_dcerpc-auth3-5133.pcap')!;
  const reqs = cs.filter((c) => c.decoded.type === 'request');
  t.ok(reqs.length >= 10);
  for (const c of reqs) {
    t.equal(c.encrypted, true);
    t.equal(c.request, undefined);
  }
  t.end();
});

t.test('winreg Run key: handles join into the full key path', (t) => {
  const cs = byFile.get('dcerpc/sv_dcerpc_dcerpc-dce-stub-data-04.pcap')!;
  const objects = new Map<string, Args>();
  let pendingReq: { args: Args; handle?: string } | undefined;
  const emitted: Args[] = [];
  for (const c of cs) {
    if (c.request?.ok) {
      pendingReq = c.request;
      emitted.push(mergeHandleArgs(c.request.handle ? objects.get(c.request.handle) : undefined, c.request.args));
    }
    if (c.response?.ok && c.response.handle && pendingReq) {
      const parent = pendingReq.handle ? objects.get(pendingReq.handle) : undefined;
      objects.set(c.response.handle, objectArgs(parent, pendingReq.args));
    }
  }
  t.same(emitted, [
    { key: 'HKLM' },
    { key: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run' },
    { key: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run', value_name: 'Osa32', value_type: 'REG_SZ', value_data: 'NTOSA32.EXE' },
  ]);
  t.end();
});

t.test('ISystemActivator RemoteCreateInstance: clsid agrees with tshark (wmiexec-style WbemLevel1Login activation)', (t) => {
  let n = 0;
  for (const rel of ['dcerpc/zeek_kerberos135_auth.pcapng', 'dcerpc/sv_dcerpc_dcerpc-ctxids.pcap']) {
    const cs = walkCalls(tsharkPdus(rel, ['isystemactivator']).filter((p) => field(p, 'dcerpc.ver') === '5'));
    for (const c of cs) {
      if (c.uuid !== '000001a0-0000-0000-c000-000000000046' || c.opnum !== 4 || !c.request) continue;
      const want = field(c.pdu, 'isystemactivator.properties.instninfo.clsid');
      t.ok(c.request.ok, `${rel} frame ${c.pdu.frame} decodes`);
      if (c.request.ok) t.equal(c.request.args.clsid, want, `${rel} frame ${c.pdu.frame} clsid ${want}`);
      n++;
    }
  }
  t.ok(n >= 1, `${n} RemoteCreateInstance requests`);
  t.end();
});

t.teardown(() => console.log(`# ${tally.requests} requests, ${tally.responses} responses, ${tally.args} argument sets compared`));
