/**
 * Both sides of the DCE/RPC differential: the requests tshark dissects in a capture (one per
 * request PDU that ends a call: last fragment), and the dcerpc-call events of a sharewatch replay
 * with every operation emitted (`dcerpc.ignore_operations: {}`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TsharkRequest {
  frame: number;
  clientPort: number;
  serverPort: number;
  callId: number;
  opnum: number;
  serviceName: string | null;
  binaryPath: string | null;
}

const FIELDS = ['frame.number', 'tcp.srcport', 'tcp.dstport', 'smb2.flags.response', 'dcerpc.pkt_type', 'dcerpc.cn_call_id', 'dcerpc.opnum', 'dcerpc.cn_flags.last_frag', 'svcctl.servicename', 'svcctl.binarypathname'];

/** Every DCE/RPC request (last fragment) tshark decodes over TCP, in frame order. */
export function tsharkRequests(file: string): TsharkRequest[] {
  const out = execFileSync('tshark', ['-n', '-r', file, '-Y', 'dcerpc.pkt_type == 0', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', ...FIELDS.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const reqs: TsharkRequest[] = [];
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [frame, sp, dp, smb2Response, types, callIds, opnums, lasts, svc, bin] = line.split('\t');
    // tshark also decodes the (echoed, empty-input) buffers of FSCTL_PIPE_TRANSCEIVE responses as
    // a request PDU: requests travel in requests only
    if (smb2Response.split('|').every((v) => v === '1' || v === 'True')) continue;
    const t = types.split('|');
    const c = callIds.split('|');
    const o = opnums.split('|');
    const l = lasts.split('|');
    // several PDUs in one frame: the per-PDU fields line up; opnum is present on requests only
    let oi = 0;
    for (let i = 0; i < t.length; i++) {
      if (t[i] !== '0') continue;
      const opnum = Number(o[oi++]);
      if (l[i] !== '1' && l[i] !== 'True') continue;
      reqs.push({
        frame: Number(frame),
        clientPort: Number(sp.split('|')[0]),
        serverPort: Number(dp.split('|')[0]),
        callId: Number(c[i]),
        opnum,
        serviceName: svc ? svc.split('|')[0] : null,
        binaryPath: bin ? bin.split('|')[0] : null,
      });
    }
  }
  return reqs;
}

export interface OurCall {
  clientPort: number;
  serverPort: number;
  opnum: number;
  iface: string;
  operation: string;
  outcome: string;
  args: Record<string, unknown>;
  event: Record<string, any>;
}

let cfg: string | null = null;

/** sharewatch's dcerpc-call events for a capture, every operation emitted. */
export function ourCalls(file: string, cli = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js')): OurCall[] {
  if (cfg === null) {
    cfg = join(mkdtempSync(join(tmpdir(), 'sw-dcerpc-')), 'all.json');
    writeFileSync(cfg, JSON.stringify({ dcerpc: { ignore_operations: {} } }));
  }
  const out = execFileSync(process.execPath, [cli, '-q', '-c', cfg, '-r', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const calls: OurCall[] = [];
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line);
    if (e.event.kind !== 'event' || e.event.action !== 'dcerpc-call') continue;
    calls.push({
      clientPort: e.source.port,
      serverPort: e.destination.port,
      opnum: e.dcerpc.opnum,
      iface: e.dcerpc.interface.name,
      operation: e.dcerpc.operation,
      outcome: e.event.outcome,
      args: e.dcerpc.args ?? {},
      event: e,
    });
  }
  return calls;
}
