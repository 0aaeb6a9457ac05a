/**
 * Reference SMB messages for tests, cut out of a capture by tshark itself: tshark reassembles
 * TCP (tcp.desegment_tcp_streams) and exports the PDUs it hands to NBSS ("-U 'OSI layer 4'")
 * into a pcapng of exported-PDU frames. Each exported frame holds one or more NBSS messages;
 * running tshark again on that file gives, frame by frame, the fields Wireshark's dissector
 * sees in exactly the same bytes. Used until (and besides) the project's own reader/reassembly.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const CAPTURES = path.resolve(__dirname, '..', '..', '..', 'shared', 'captures');

export interface ExportedFrame {
  /** frame number in the exported file (1-based), as tshark numbers it there */
  frame: number;
  /** frame number in the original capture */
  origFrame: number;
  /** the TCP payload handed to NBSS: one or more NBSS messages */
  payload: Buffer;
}

export interface NbssMessage {
  type: number;
  /** the message body (from the first SMB byte), a view into the exported payload */
  data: Buffer;
}

/** Throws with a clear message when tshark is missing (CI installs it; tests must not skip). */
export function requireTshark(): void {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'pipe' });
  } catch {
    throw new Error('tshark is required for the SMB differential tests (apt-get install tshark)');
  }
}

/**
 * Export the NBSS PDUs of `capture` and return the exported file's path and its frames.
 * `decodeAs` adds tshark -d rules (e.g. 'tcp.port==4445,nbss' for SMB on a non-standard port).
 */
export function exportPdus(
  capture: string,
  decodeAs: string[] = [],
): { file: string; frames: ExportedFrame[]; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-pdus-'));
  const file = path.join(dir, 'pdus.pcapng');
  const args = ['-Q', '-n', '-r', capture, '-o', 'tcp.desegment_tcp_streams:TRUE'];
  for (const d of decodeAs) args.push('-d', d);
  args.push('-U', 'OSI layer 4', '-w', file);
  execFileSync('tshark', args, { stdio: 'pipe' });
  const frames = readExportedPcapng(readFileSync(file));
  return { file, frames, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Minimal pcapng reader for exported-PDU files: EPB payloads minus their exported-PDU tags. */
export function readExportedPcapng(f: Buffer): ExportedFrame[] {
  const out: ExportedFrame[] = [];
  if (f.length < 12 || f.readUInt32LE(0) !== 0x0a0d0d0a || f.readUInt32LE(8) !== 0x1a2b3c4d) {
    throw new Error('not a little-endian pcapng file');
  }
  let pos = 0;
  let n = 0;
  while (pos + 12 <= f.length) {
    const type = f.readUInt32LE(pos);
    const len = f.readUInt32LE(pos + 4);
    if (len < 12 || pos + len > f.length) break;
    if (type === 6) {
      const capLen = f.readUInt32LE(pos + 20);
      const pkt = f.subarray(pos + 28, pos + 28 + capLen);
      n++;
      // exported PDU tags: type(2 BE) length(2 BE) value (not padded); tag 0 ends them
      let t = 0;
      let origFrame = 0;
      while (t + 4 <= pkt.length) {
        const tag = pkt.readUInt16BE(t);
        const tl = pkt.readUInt16BE(t + 2);
        t += 4;
        if (tag === 0) break;
        if (tag === 30 && tl === 4) origFrame = pkt.readUInt32BE(t);
        t += tl;
      }
      out.push({ frame: n, origFrame, payload: pkt.subarray(t) });
    }
    pos += len;
  }
  return out;
}

/** Complete NBSS messages of an exported payload (a trailing partial message is dropped). */
/**
 * True when the frame's bytes are whole NBSS messages (and nothing else): a frame that is a piece
 * of a message spanning frames cannot be dissected on its own — tshark shows such a message in
 * the frame that completes its reassembly, and src/net reassembles it the same way (lifecycle-diff
 * compares that path) — so a per-frame comparison can only hold the other frames to "both ways".
 */
export function wholeNbssMessages(payload: Buffer): boolean {
  let p = 0;
  while (p + 4 <= payload.length) {
    const len = ((payload[p + 1] & 1) << 16) | payload.readUInt16BE(p + 2);
    p += 4 + len;
  }
  return payload.length > 0 && p === payload.length;
}

export function nbssMessages(payload: Buffer): NbssMessage[] {
  const out: NbssMessage[] = [];
  let p = 0;
  while (p + 4 <= payload.length) {
    const type = payload[p];
    const len = ((payload[p + 1] & 1) << 16) | payload.readUInt16BE(p + 2);
    if (p + 4 + len > payload.length) break;
    out.push({ type, data: payload.subarray(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  return out;
}

/**
 * tshark fields of every frame of `file`, one row per frame: field name → the list of its
 * values in the frame (all occurrences, in order).
 */
export function tsharkFields(file: string, fields: string[], decodeAs: string[] = []): Map<number, Record<string, string[]>> {
  const args = ['-Q', '-n', '-r', file, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|'];
  for (const d of decodeAs) args.push('-d', d);
  args.push('-e', 'frame.number');
  for (const f of fields) args.push('-e', f);
  const txt = execFileSync('tshark', args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024 }).toString('utf8');
  const rows = new Map<number, Record<string, string[]>>();
  for (const line of txt.split('\n')) {
    if (!line) continue;
    const cols = line.split('\t');
    const rec: Record<string, string[]> = {};
    fields.forEach((f, i) => {
      const v = cols[i + 1] ?? '';
      rec[f] = v === '' ? [] : v.split('|');
    });
    rows.set(Number(cols[0]), rec);
  }
  return rows;
}
