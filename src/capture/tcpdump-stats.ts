/**
 * tcpdump's packet counters (what it prints on SIGUSR1 and at exit), read off its stderr.
 */

export interface LiveStats {
  /** packets tcpdump wrote to us */
  captured: number;
  /** packets that matched the filter (libpcap ps_recv) */
  received: number;
  /** packets the kernel dropped for lack of buffer space (libpcap ps_drop) */
  droppedKernel: number;
  /** packets the interface/driver dropped (libpcap ps_ifdrop) */
  droppedInterface: number;
}

const STAT_RE = /(\d+) packets? (captured|received by filter|dropped by kernel|dropped by interface)/g;

export class TcpdumpStats {
  readonly stats: LiveStats = { captured: 0, received: 0, droppedKernel: 0, droppedInterface: 0 };
  private partialLine = '';

  /** tcpdump prints its counters on one line (SIGUSR1) or three (exit); lines may span chunks. */
  feed(chunk: string): void {
    const text = this.partialLine + chunk;
    const nl = text.lastIndexOf('\n');
    if (nl < 0) {
      this.partialLine = text.slice(-1024);
      return;
    }
    this.partialLine = text.slice(nl + 1);
    for (const e of text.slice(0, nl).matchAll(STAT_RE)) {
      const n = Number(e[1]);
      switch (e[2]) {
        case 'captured':
          this.stats.captured = n;
          break;
        case 'received by filter':
          this.stats.received = n;
          break;
        case 'dropped by kernel':
          this.stats.droppedKernel = n;
          break;
        default:
          this.stats.droppedInterface = n;
      }
    }
  }
}
