/** A one-line progress display on stderr (TTY only): share of input read, packets/s, events, alerts. */
import type { PipelineView } from './pipeline';

export class Progress {
  private readonly p: PipelineView;
  private readonly total: number;
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly started = Date.now();
  private lastPackets = 0;
  private lastTime = Date.now();

  constructor(p: PipelineView, totalBytes: number) {
    this.p = p;
    this.total = totalBytes;
  }

  setBytes(n: number): void {
    this.bytes = n;
  }

  start(): void {
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    process.stderr.write('\r\x1b[K');
  }

  private draw(): void {
    const now = Date.now();
    const pps = ((this.p.packets - this.lastPackets) * 1000) / Math.max(1, now - this.lastTime);
    this.lastPackets = this.p.packets;
    this.lastTime = now;
    const frac = this.total > 0 ? Math.min(1, this.bytes / this.total) : 0;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = this.total > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ` : '';
    let events = 0;
    for (const v of this.p.eventsByAction.values()) events += v;
    let alerts = 0;
    for (const v of this.p.alertsByRule.values()) alerts += v;
    const secs = ((now - this.started) / 1000).toFixed(0);
    process.stderr.write(`\r\x1b[K${bar}${(pps / 1000).toFixed(0)}k pkt/s  events ${events}  alerts ${alerts}  ${secs}s`);
  }
}
