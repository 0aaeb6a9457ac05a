/**
 * A `sharewatch -i` process watched from a test: its stdout as parsed JSON lines arriving over
 * time (with the wall-clock moment each arrived), its stderr, and helpers to wait for a line, for
 * the capture to be open, and for the exit.
 */
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface ArrivedLine {
  text: string;
  /** the parsed event, or null when the line is not complete JSON */
  event: Record<string, any> | null;
  /** Date.now() when the line arrived */
  arrivedMs: number;
  /** wall-clock (realtime) ns since the epoch when the line arrived, sub-ms precise, to set against capture time */
  arrivedNs: bigint;
}

export class WatchedProcess {
  readonly child: ChildProcess;
  readonly lines: ArrivedLine[] = [];
  stdout = '';
  stderr = '';
  private partial = '';
  private waiters: Array<() => void> = [];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(child: ChildProcess) {
    this.child = child;
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      const arrivedMs = Date.now();
      const arrivedNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
      this.stdout += chunk;
      const text = this.partial + chunk;
      const parts = text.split('\n');
      this.partial = parts.pop()!;
      for (const line of parts) {
        let event: Record<string, any> | null = null;
        try {
          event = JSON.parse(line) as Record<string, any>;
        } catch {
          event = null;
        }
        this.lines.push({ text: line, event, arrivedMs, arrivedNs });
      }
      this.wake();
    });
    child.stderr!.on('data', (chunk: string) => {
      this.stderr += chunk;
      this.wake();
    });
    this.exit = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.wake();
        resolve({ code, signal });
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** bytes of stdout after the last newline (must be empty at exit: no partial line) */
  get partialLine(): string {
    return this.partial;
  }

  events(): Record<string, any>[] {
    return this.lines.map((l) => l.event).filter((e): e is Record<string, any> => e !== null);
  }

  /** Resolves with the first line matching, or rejects after timeoutMs or when the process ends. */
  async waitForLine(pred: (e: Record<string, any>) => boolean, timeoutMs: number, what: string): Promise<ArrivedLine> {
    return this.waitFor(() => this.lines.find((l) => l.event !== null && pred(l.event)) ?? null, timeoutMs, what);
  }

  async waitForStderr(re: RegExp, timeoutMs: number, what: string): Promise<string> {
    return this.waitFor(() => re.exec(this.stderr)?.[0] ?? null, timeoutMs, what);
  }

  private waitFor<T>(probe: () => T | null, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const v = probe();
        if (v !== null) {
          clearTimeout(timer);
          resolve(v);
          return true;
        }
        if (!this.running) {
          clearTimeout(timer);
          reject(new Error(`sharewatch ended before ${what}; stderr:\n${this.stderr}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== listener);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr:\n${this.stderr}`));
      }, timeoutMs);
      const listener = (): void => {
        if (check()) this.waiters = this.waiters.filter((w) => w !== listener);
      };
      if (!check()) this.waiters.push(listener);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** Capture time of an event's @timestamp as ns since the epoch (microsecond precision). */
export function eventTimeNs(e: Record<string, any>): bigint {
  const ts = String(e['@timestamp']);
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(ts);
  if (!m) throw new Error(`bad @timestamp ${ts}`);
  const sec = BigInt(Date.parse(m[1] + 'Z') / 1000);
  const frac = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  return sec * 1_000_000_000n + BigInt(frac);
}

/** Reads /proc/PID/status Uid: line (real, effective). */
export function procUids(pid: number, readFile: (p: string) => string): { real: number; effective: number } | null {
  try {
    const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(readFile(`/proc/${pid}/status`));
    return m ? { real: Number(m[1]), effective: Number(m[2]) } : null;
  } catch {
    return null;
  }
}
