/**
 * What each SMB session did that raises the stakes of its other alerts (contract SW-0001: "the
 * same session opened svcctl/atsvc/winreg or made a service/task call"): the named pipes it
 * opened come with every record (`session.pipes`); DCE/RPC calls on the service control manager,
 * the task schedulers or the remote registry come as `dcerpc-call` records and are remembered
 * here per session (server address + SessionId), bounded, least recently touched evicted.
 */
import type { LifecycleRecord } from '../shared/records';
import { BoundedMap } from './bounded-map';

/** pipes that expose service control, task scheduling, remote registry */
export const EXECUTION_PIPES: readonly string[] = ['svcctl', 'atsvc', 'winreg'];
/** DCE/RPC interfaces (Zeek's names) whose calls count as service/task/registry calls */
const EXECUTION_INTERFACES: readonly string[] = ['svcctl', 'atsvc', 'ITaskSchedulerService', 'winreg'];

/** `\PIPE\svcctl`, `svcctl` → `svcctl` */
function pipeBase(p: string): string {
  const i = Math.max(p.lastIndexOf('\\'), p.lastIndexOf('/'));
  return (i === -1 ? p : p.slice(i + 1)).toLowerCase();
}

function sessionKey(rec: LifecycleRecord): string | null {
  const id = rec.session.sessionId;
  return id === null ? null : `${rec.flow.serverIp}\u0000${id}`;
}

export class SessionActivity {
  /** session → interfaces of the service/task/registry calls it made, first seen first */
  readonly calls: BoundedMap<string, string[]>;

  constructor(maxSessions: number) {
    this.calls = new BoundedMap(maxSessions);
  }

  /** Every record passes here first. */
  note(rec: LifecycleRecord): void {
    if (rec.kind === 'dcerpc-call') {
      if (!EXECUTION_INTERFACES.includes(rec.interfaceName)) return;
      const key = sessionKey(rec);
      if (key === null) return;
      const l = this.calls.touch(key, () => []);
      if (!l.includes(rec.interfaceName)) l.push(rec.interfaceName);
    } else if (rec.kind === 'session-end') {
      const key = sessionKey(rec);
      if (key !== null) this.calls.delete(key);
    }
  }

  /**
   * svcctl / atsvc / winreg opened by the session, and the interfaces of its service/task/
   * registry calls, without repeats: `['svcctl', 'ITaskSchedulerService']`; empty when none.
   */
  executionChannels(rec: LifecycleRecord): string[] {
    const out: string[] = [];
    for (const p of rec.session.pipes) {
      const b = pipeBase(p);
      if (EXECUTION_PIPES.includes(b) && !out.includes(b)) out.push(b);
    }
    const key = sessionKey(rec);
    const calls = key === null ? undefined : this.calls.get(key);
    if (calls !== undefined) for (const c of calls) if (!out.includes(c)) out.push(c);
    return out;
  }
}
