/** The one-screen summary printed on stderr at the end (and the --stats capture summary). */
import type { PipelineView } from './pipeline';
import type { LiveStats } from '../capture/tcpdump-stats';

function fmtMap(m: ReadonlyMap<string, number>): string {
  if (m.size === 0) return '-';
  return [...m.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

export interface SummaryExtras {
  wallSeconds: number;
  inputBytes: number;
  linktypes?: ReadonlyMap<number, number>;
  kernelDrops?: number | null;
  /** live capture: tcpdump's final counters */
  live?: LiveStats | null;
  error?: string | null;
}

export function summaryText(p: PipelineView, x: SummaryExtras): string {
  const n = p.net.counters as unknown as Record<string, number>;
  const tr = p.tracker.counters;
  const mb = x.inputBytes / 1e6;
  const rate = x.wallSeconds > 0 ? mb / x.wallSeconds : 0;
  const lines = [
    `sharewatch summary`,
    `  packets      ${p.packets}  (${mb.toFixed(1)} MB in ${x.wallSeconds.toFixed(2)} s, ${rate.toFixed(0)} MB/s, ${(p.packets / Math.max(x.wallSeconds, 1e-9) / 1e6).toFixed(2)} Mpps)`,
  ];
  if (x.linktypes) lines.push(`  link types   ${fmtMap(new Map([...x.linktypes].map(([k, v]) => [String(k), v])))}`);
  if (x.live) {
    lines.push(
      `  capture      received-by-filter=${x.live.received} captured=${x.live.captured} kernel-drops=${x.live.droppedKernel} interface-drops=${x.live.droppedInterface}`,
    );
  } else if (x.kernelDrops !== undefined && x.kernelDrops !== null) lines.push(`  kernel drops ${x.kernelDrops}`);
  // only when it happened: a normal run's summary keeps its lines
  if (p.capture.recordsOverSnaplen > 0) lines.push(`  input        records-over-snaplen=${p.capture.recordsOverSnaplen}`);
  lines.push(
    `  tcp          flows=${n.flows ?? '-'} smb-messages=${tr.messages} gaps=${tr.gaps} gap-bytes=${tr.gapBytes}`,
    `  smb          smb1=${tr.smb1Messages} smb2=${tr.smb2Messages} encrypted=${tr.transformMessages} compressed=${tr.compressedMessages} unknown=${tr.unknownMessages}`,
    `  events       ${fmtMap(p.eventsByAction)}`,
    `  alerts       ${fmtMap(p.alertsByRule)}`,
    `  open at end  sessions=${tr.sessionsOpen} trees=${tr.treesOpen}`,
    `  memcaps      sessions-evicted=${tr.sessionsEvicted} trees-evicted=${tr.treesEvicted} pending-evicted=${tr.pendingEvicted} files-evicted=${tr.filesEvicted}`,
    `  parse errors ${fmtMap(tr.parseErrors)}`,
  );
  // only when it happened: requests/handles the transaction table could not match
  if (tr.txIdCollisions + tr.fileIdCollisions + tr.txClosedAfterGap > 0) {
    lines.push(
      `  unmatched    message-id-collisions=${tr.txIdCollisions} file-id-collisions=${tr.fileIdCollisions} closed-after-gap=${tr.txClosedAfterGap}`,
    );
  }
  const rpc = p.tracker.rpcCounters;
  // only when the capture carried DCE/RPC: a plain SMB run's summary keeps its lines
  if (rpc.pdus > 0) {
    lines.push(
      `  dcerpc       conversations=${rpc.conversations} pdus=${rpc.pdus} calls=${rpc.calls} ignored=${rpc.callsIgnored} calls-evicted=${rpc.callsEvicted} memcap-hits=${rpc.memcapHits} orphan-fragments=${rpc.orphanFragments}`,
    );
    if (rpc.errors.size > 0) lines.push(`  dcerpc errs  ${fmtMap(rpc.errors)}`);
  }
  const inf = p.tracker.inference.counters;
  if (inf.treesInferred + inf.sizeMismatch + inf.chained + inf.unresolved + inf.sessionsEvicted > 0) {
    lines.push(
      `  inference    trees=${inf.treesInferred} unresolved=${inf.unresolved} size-mismatch=${inf.sizeMismatch} chained=${inf.chained} sessions-evicted=${inf.sessionsEvicted} pending-evicted=${inf.pendingEvicted} trees-evicted=${inf.treesEvicted}`,
    );
  }
  const netCounters = Object.entries(n)
    .filter(([, v]) => typeof v === 'number' && v > 0)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  if (netCounters) lines.push(`  net          ${netCounters}`);
  // exceptions caught at the rooms' entries: only when there were any
  if (p.faults.total > 0) lines.push(`  faults       ${fmtMap(p.faults.byRoom)}`);
  if (x.error) lines.push(`  stopped      ${x.error}`);
  return lines.join('\n') + '\n';
}
