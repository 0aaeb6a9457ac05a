/**
 * Fuzz seeds from the public corpus, cut out by the project's own reader + reassembly (no tshark):
 * raw capture files, their packets, the SMB messages of every connection in order, and the
 * security blobs inside SESSION_SETUPs. Loaded once per process, capped per file so a few large
 * captures do not crowd out the rest.
 */
import * as fs from 'node:fs';
import fc from 'fast-check';
import { corpusFiles, corpusName } from '../helpers/corpus';
import { CaptureParser } from '../../src/capture/parser';
import { NetPipeline } from '../../src/net/pipeline';
import type { Conn, Direction, SmbMessage, StreamSink } from '../../src/shared/stream';
import { bytesToKeep } from '../../dissectors/skip-policy';
import { newSmb1Header, parseSmb1Header, parseSmb1SessionSetupRequest, parseSmb1SessionSetupResponse, walkAndX } from '../../dissectors/smb1';
import type { Smb1Command } from '../../dissectors/smb1-types';
import { forEachSmb2, newSmb2Header, parseSessionSetupRequest, parseSessionSetupResponse, parseSmb2Header, smb2MessageEnd, parseNegotiateResponse } from '../../dissectors/smb2';
import { LIE_VALUES, type Mutation } from './checks';

export interface SeedPacket {
  tsSec: number;
  tsNsec: number;
  linktype: number;
  data: Buffer;
  origLen: number;
}

export interface SeedMessage {
  conn: number;
  dir: Direction;
  data: Buffer;
  length: number;
}

export interface Seeds {
  files: { name: string; bytes: Buffer }[];
  /** packets of every file (copies), up to PACKETS_PER_FILE each */
  packets: SeedPacket[][];
  /** SMB messages per connection in delivery order (copies), up to MESSAGES_PER_FILE per file */
  conversations: SeedMessage[][];
  smb2: Buffer[];
  smb1: Buffer[];
  blobs: Buffer[];
}

const PACKETS_PER_FILE = 400;
const MESSAGES_PER_FILE = 300;
/** files larger than this are skipped as whole-file seeds (their packets are still used) */
const MAX_FILE_SEED = 2 << 20;

let cache: Seeds | null = null;

/** Packets of a capture file (copies; every packet, or the first `max`). */
export function readPackets(bytes: Buffer, max = Infinity): { packets: SeedPacket[]; error: string | null } {
  const p = new CaptureParser('seed');
  const packets: SeedPacket[] = [];
  p.push(bytes);
  while (packets.length < max && p.next()) {
    const k = p.packet;
    packets.push({ tsSec: k.tsSec, tsNsec: k.tsNsec, linktype: k.linktype, data: Buffer.from(k.data), origLen: k.origLen });
  }
  if (packets.length < max) p.end();
  return { packets, error: p.error ? p.error.message : null };
}

class Collector implements StreamSink {
  readonly convs = new Map<Conn, SeedMessage[]>();
  total = 0;
  onConnStart(conn: Conn): void {
    this.convs.set(conn, []);
  }
  keepBytes(head: Buffer, total: number): number {
    return bytesToKeep(head, total);
  }
  onSmbMessage(m: SmbMessage): void {
    if (this.total >= MESSAGES_PER_FILE) return;
    this.total++;
    this.convs.get(m.conn)?.push({ conn: m.conn.id, dir: m.dir, data: Buffer.from(m.data), length: m.length });
  }
  onNbssControl(): void {}
  onGap(): void {}
  onConnEnd(): void {}
  onTime(): void {}
}

function blobsOf(buf: Buffer, out: Buffer[]): void {
  if (buf[0] === 0xff) {
    const h = newSmb1Header();
    if (parseSmb1Header(buf, 0, h)) return;
    const cmds: Smb1Command[] = [];
    walkAndX(buf, h, (c) => cmds.push({ ...c }));
    for (const c of cmds) {
      if (c.command !== 0x73 || (h.isResponse && c.wordCount === 0)) continue;
      const r = h.isResponse ? parseSmb1SessionSetupResponse(buf, h, c) : parseSmb1SessionSetupRequest(buf, h, c);
      if (r.ok && r.securityBlob && r.securityBlob.length) out.push(Buffer.from(r.securityBlob));
    }
  } else if (buf[0] === 0xfe) {
    const h = newSmb2Header();
    if (parseSmb2Header(buf, 0, h)) return;
    forEachSmb2(buf, h, (x) => {
      const end = smb2MessageEnd(buf, x);
      const r =
        x.command === 0 && x.isResponse
          ? parseNegotiateResponse(buf, x, end)
          : x.command === 1
            ? x.isResponse
              ? parseSessionSetupResponse(buf, x, end)
              : parseSessionSetupRequest(buf, x, end)
            : null;
      if (r && r.ok && r.securityBuffer.length) out.push(Buffer.from(r.securityBuffer));
    });
  }
}

export function corpusSeeds(): Seeds {
  if (cache) return cache;
  const s: Seeds = { files: [], packets: [], conversations: [], smb2: [], smb1: [], blobs: [] };
  for (const f of corpusFiles()) {
    const bytes = fs.readFileSync(f);
    if (bytes.length <= MAX_FILE_SEED && !f.endsWith('.gz')) s.files.push({ name: corpusName(f), bytes });
    if (f.endsWith('.gz')) continue;
    const all = readPackets(bytes).packets;
    s.packets.push(all.slice(0, PACKETS_PER_FILE));
    const col = new Collector();
    const net = new NetPipeline(col);
    for (const p of all) net.handle({ ...p, sourceIndex: 0 });
    net.finish();
    for (const conv of col.convs.values()) {
      if (conv.length === 0) continue;
      s.conversations.push(conv);
      for (const m of conv) {
        if (m.data.length < 4 || m.data[1] !== 0x53) continue;
        if (m.data[0] === 0xff) s.smb1.push(m.data);
        else s.smb2.push(m.data);
        blobsOf(m.data, s.blobs);
      }
    }
  }
  if (s.smb2.length < 100 || s.smb1.length < 50 || s.blobs.length < 20) {
    throw new Error(`corpus seeds too few: ${s.smb2.length} SMB2, ${s.smb1.length} SMB1, ${s.blobs.length} blobs`);
  }
  cache = s;
  return s;
}

/** A mutation of real bytes: bit flips, length/offset lies, byte insertions, a cut. */
export function mutationArb(maxEach = 6): fc.Arbitrary<Mutation> {
  return fc.record({
    flips: fc.array(fc.tuple(fc.nat(), fc.nat(7)), { maxLength: maxEach }),
    lies: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...LIE_VALUES)), { maxLength: Math.ceil(maxEach / 2) }),
    inserts: fc.array(fc.tuple(fc.nat(), fc.array(fc.nat(255), { minLength: 1, maxLength: 8 })), { maxLength: 2 }),
    cut: fc.option(fc.nat(), { nil: undefined, freq: 4 }),
  });
}
