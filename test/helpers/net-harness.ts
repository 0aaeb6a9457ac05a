/**
 * Test harness for src/net: runs the real reader + NetPipeline over a capture with a recording
 * sink, and asks tshark (TCP desegmentation on) for the NBSS PDUs it sees, frame by frame.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { readCaptures } from '../../src/capture/reader';
import { NetPipeline, type NetOptions } from '../../src/net/pipeline';
import type { Conn, ConnEndReason, Direction, SmbMessage, StreamSink } from '../../src/shared/stream';
import type { NetCounters } from '../../src/net/counters';

export const CAPTURES = path.resolve(__dirname, '..', '..', '..', 'shared', 'captures');

export function requireTshark(): void {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'pipe' });
  } catch {
    throw new Error('tshark is required for the src/net tests (apt-get install tshark)');
  }
}

/** every corpus capture, relative to CAPTURES */
export function corpusFiles(): string[] {
  const out = execFileSync('bash', ['-c', `cd '${CAPTURES}' && ls suricata-verify/*.pcap zeek/*.pcap zeek/*.cap zeek/*.pcapng zeek/*.pcap.gz`])
    .toString()
    .split('\n')
    .filter(Boolean);
  return out.sort();
}

export interface Rec {
  frame: number;
  conn: number;
  /** "srcip:port>dstip:port" of the direction */
  key: string;
  dir: Direction;
  data: Buffer;
  length: number;
  truncated: boolean;
  afterGap: boolean;
}

export interface RunResult {
  messages: Rec[];
  controls: { frame: number; key: string; type: number; body: Buffer }[];
  gaps: { frame: number; key: string; bytes: number }[];
  ends: { conn: number; reason: ConnEndReason; sec: number }[];
  starts: Conn[];
  counters: NetCounters;
  keepCalls: number;
}

export function dirKey(conn: Conn, dir: Direction): string {
  return dir === 0
    ? `${conn.clientIp}:${conn.clientPort}>${conn.serverIp}:${conn.serverPort}`
    : `${conn.serverIp}:${conn.serverPort}>${conn.clientIp}:${conn.clientPort}`;
}

/** A recording sink; `keep` decides keepBytes (default: keep all). */
export class RecordingSink implements StreamSink {
  frame = 0;
  readonly r: Omit<RunResult, 'counters'> = { messages: [], controls: [], gaps: [], ends: [], starts: [], keepCalls: 0 };
  constructor(private readonly keep: (head: Buffer, total: number) => number = (_h, t) => t) {}
  onConnStart(conn: Conn): void {
    this.r.starts.push(conn);
  }
  keepBytes(head: Buffer, totalLength: number): number {
    this.r.keepCalls++;
    return this.keep(head, totalLength);
  }
  onSmbMessage(m: SmbMessage): void {
    this.r.messages.push({
      frame: this.frame,
      conn: m.conn.id,
      key: dirKey(m.conn, m.dir),
      dir: m.dir,
      data: Buffer.from(m.data),
      length: m.length,
      truncated: m.truncated,
      afterGap: m.afterGap,
    });
  }
  onNbssControl(conn: Conn, dir: Direction, type: number, body: Buffer): void {
    this.r.controls.push({ frame: this.frame, key: dirKey(conn, dir), type, body: Buffer.from(body) });
  }
  onGap(conn: Conn, dir: Direction, bytes: number): void {
    this.r.gaps.push({ frame: this.frame, key: dirKey(conn, dir), bytes });
  }
  onConnEnd(conn: Conn, reason: ConnEndReason, sec: number): void {
    this.r.ends.push({ conn: conn.id, reason, sec });
  }
  onTime(): void {}
}

export async function runNet(
  file: string,
  opts: Partial<NetOptions> = {},
  keep?: (head: Buffer, total: number) => number,
): Promise<RunResult> {
  const sink = new RecordingSink(keep);
  const net = new NetPipeline(sink, opts);
  const summary = await readCaptures([path.resolve(CAPTURES, file)], (p) => {
    sink.frame++;
    net.handle(p);
  });
  if (summary.error) throw new Error(`${file}: ${summary.error.message}`);
  net.finish();
  return { ...sink.r, counters: net.counters };
}

export interface FrameHeaders {
  /** smb2.cmd values of the frame, in order (compound members included) */
  smb2: number[];
  smb2Response: boolean[];
  /** smb.cmd values of the frame (AndX follow-ups included) */
  smb1: number[];
}

export interface TsharkPdu {
  frame: number;
  key: string;
  type: number;
  length: number;
  /** the SMB headers tshark shows in the PDU's frame (shared by all PDUs of that frame) */
  headers: FrameHeaders;
}

const SMB1_ANDX = new Set([0x24, 0x2d, 0x2e, 0x2f, 0x73, 0x74, 0x75, 0xa2]);

/** SMB2 commands (+ response flags) of a message, walking a compound chain (NextCommand). */
export function smb2Commands(d: Buffer): { cmd: number; response: boolean }[] {
  const out: { cmd: number; response: boolean }[] = [];
  let p = 0;
  for (let n = 0; n < 64 && p + 64 <= d.length; n++) {
    if (d[p] !== 0xfe || d[p + 1] !== 0x53 || d[p + 2] !== 0x4d || d[p + 3] !== 0x42) break;
    out.push({ cmd: d.readUInt16LE(p + 12), response: (d.readUInt32LE(p + 16) & 1) !== 0 });
    const next = d.readUInt32LE(p + 20);
    if (next === 0) break;
    p += next;
  }
  return out;
}

/** SMB1 command and its AndX follow-up commands. */
export function smb1Commands(d: Buffer): number[] {
  if (d.length < 33 || d[0] !== 0xff) return [];
  const out = [d[4]];
  let cmd = d[4];
  let p = 32; // WordCount of the first block
  for (let n = 0; n < 16 && SMB1_ANDX.has(cmd); n++) {
    if (p + 5 > d.length || d[p] < 2) break;
    const next = d[p + 1];
    const off = d.readUInt16LE(p + 3);
    if (next === 0xff) break;
    out.push(next);
    if (off <= p || off >= d.length) break;
    cmd = next;
    p = off;
  }
  return out;
}

/** NBSS PDUs as tshark sees them with TCP desegmentation on, in frame order. */
export function tsharkNbss(file: string): TsharkPdu[] {
  const txt = execFileSync(
    'tshark',
    [
      '-Q', '-n', '-r', path.resolve(CAPTURES, file), '-o', 'tcp.desegment_tcp_streams:TRUE', '-Y', 'nbss',
      '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-E', 'aggregator=,',
      '-e', 'frame.number', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport',
      '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport', '-e', 'nbss.type', '-e', 'nbss.length',
      '-e', 'smb2.cmd', '-e', 'smb2.flags.response', '-e', 'smb.cmd',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 },
  ).toString('utf8');
  const out: TsharkPdu[] = [];
  for (const line of txt.split('\n')) {
    if (!line) continue;
    const [frame, s4, s6, sp, d4, d6, dp, types, lens, smb2cmd, smb2resp, smbcmd] = line.split('|');
    // tunnelled/ICMP-quoted packets carry several addresses: the first is the outer one
    const src = (s4 || s6).split(',')[0];
    const dst = (d4 || d6).split(',')[0];
    const key = `${src}:${sp.split(',')[0]}>${dst}:${dp.split(',')[0]}`;
    const tl = types ? types.split(',') : [];
    const ll = lens ? lens.split(',') : [];
    const headers = {
      smb2: smb2cmd ? smb2cmd.split(',').map(Number) : [],
      smb2Response: smb2resp ? smb2resp.split(',').map((x) => x === '1' || x === 'True') : [],
      smb1: smbcmd ? smbcmd.split(',').map((x) => parseInt(x, 16)) : [],
    };
    for (let i = 0; i < tl.length; i++) out.push({ frame: Number(frame), key, type: parseInt(tl[i], 16), length: Number(ll[i]), headers });
  }
  return out;
}

/** count of type-0x00 PDUs per direction key */
export function countByKey<T extends { key: string }>(xs: T[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x.key, (m.get(x.key) ?? 0) + 1);
  return m;
}
