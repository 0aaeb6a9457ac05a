/**
 * Lifecycle records as steps of the lateral-movement chain (contract SW-0012). Pure: one record
 * in, one step (or null) out; the chain (chains.ts) links and keeps them.
 *
 * W executable written to an admin share — a tree on an admin share that wrote an executable
 * S service created/changed — svcctl RCreateService*, RChangeServiceConfigW/A
 * T task created — atsvc NetrJobAdd, ITaskSchedulerService SchRpcRegisterTask
 * X executed — svcctl RStartService*, SchRpcRun, IWbemServices ExecMethod(Async) of
 *   Win32_Process.Create (a sealed ExecMethod counts: its method is unknown, wmiexec seals all)
 * R output read back — a tree on an admin share that read and wrote no executable
 * C cleanup — RDeleteService, SchRpcDelete, NetrJobDel, or an admin-share tree removed by the
 *   client (TREE_DISCONNECT/LOGOFF/close) that neither wrote an executable nor read: psexec's
 *   second ADMIN$ tree that only opens its service binary to delete it
 */
import type { DcerpcCallRecord, Flow, LateralStepLetter, LifecycleRecord, Timestamp, TreeDisconnectRecord } from '../../shared/records';
import { baseName } from '../command';
import { strArg } from '../describe-call';

export interface Step {
  readonly ts: Timestamp;
  readonly letter: LateralStepLetter;
  readonly summary: string;
  readonly rec: LifecycleRecord;
  /** `ip port ip port` of the TCP connection */
  readonly conn: string;
  /** SMB session id, or null (RPC over TCP) */
  readonly session: string | null;
  /** `domain\user` lower case, '' unknown */
  readonly user: string;
  /** the call's stub is sealed: no names to link by */
  readonly sealed: boolean;
  /** service or task name (lower case), or null */
  readonly object: string | null;
  /** service binary path / task or WMI command line, or null */
  readonly command: string | null;
  /** base names (lower case) of the files a tree wrote or created */
  readonly files: readonly string[];
  /** admin share name (lower case: `admin$`, `c$`) of a tree step, or null */
  readonly share: string | null;
  /** lower-case pipe names the step's SMB session opened (tool fingerprints) */
  readonly pipes: readonly string[];
  /** techniques this step contributes to the chain alert */
  readonly techniques: readonly string[];
}

const CREATE_SERVICE = new Set([
  'RCreateServiceW',
  'RCreateServiceA',
  'RCreateServiceWOW64W',
  'RCreateServiceWOW64A',
  'RChangeServiceConfigW',
  'RChangeServiceConfigA',
]);
const START_SERVICE = new Set(['RStartServiceW', 'RStartServiceA']);

function userKey(rec: LifecycleRecord): string {
  const u = rec.session.user;
  if (u === null || u === '') return '';
  return `${(rec.session.domain ?? rec.session.kerberosRealm ?? '').toLowerCase()}\\${u.toLowerCase()}`;
}

/** `ip port ip port` of a flow, made once per Flow object (every record of a connection shares it) */
const connKeys = new WeakMap<Flow, string>();
function connKey(f: Flow): string {
  let k = connKeys.get(f);
  if (k === undefined) {
    k = `${f.clientIp} ${f.clientPort} ${f.serverIp} ${f.serverPort}`;
    connKeys.set(f, k);
  }
  return k;
}

/**
 * A step as one object literal (an object spread of shared fields made a dictionary-mode copy per
 * step: the top detect frame of the replay profile).
 */
function newStep(
  rec: LifecycleRecord,
  letter: LateralStepLetter,
  summary: string,
  sealed: boolean,
  object: string | null,
  command: string | null,
  files: readonly string[],
  share: string | null,
  techniques: readonly string[],
): Step {
  return {
    ts: rec.ts,
    rec,
    conn: connKey(rec.flow),
    session: rec.session.sessionId,
    user: userKey(rec),
    pipes: rec.session.pipes,
    letter,
    summary,
    sealed,
    object,
    command,
    files,
    share,
    techniques,
  };
}

/** `%COMSPEC% /Q /c …` for tasks: command and arguments as the task would run them */
function taskCommand(rec: DcerpcCallRecord): string | null {
  const cmd = strArg(rec, 'command');
  const args = strArg(rec, 'arguments');
  if (cmd === null) return args;
  return args === null ? cmd : `${cmd} ${args}`;
}

/** true when an ExecMethod call is (or, sealed, may be) Win32_Process.Create */
export function isProcessCreate(rec: DcerpcCallRecord): boolean {
  if (rec.interfaceName !== 'IWbemServices') return false;
  if (rec.operation !== 'ExecMethod' && rec.operation !== 'ExecMethodAsync') return false;
  if (rec.encrypted) return true;
  const path = strArg(rec, 'object_path');
  const method = strArg(rec, 'method');
  return path !== null && /win32_process/i.test(path) && method !== null && method.toLowerCase() === 'create';
}

function callStep(rec: DcerpcCallRecord): Step | null {
  const sealed = rec.encrypted;
  const svc = strArg(rec, 'service_name');
  const mk = (letter: LateralStepLetter, summary: string, object: string | null, command: string | null, techniques: string[]): Step =>
    newStep(
      rec,
      letter,
      summary + (sealed ? ' (encrypted stub)' : '') + (rec.outcome === 'failure' ? ` (refused: ${rec.fault ?? rec.returnCode ?? 'failure'})` : ''),
      sealed,
      object === null ? null : object.toLowerCase(),
      command,
      [],
      null,
      techniques,
    );
  switch (rec.interfaceName) {
    case 'svcctl': {
      if (CREATE_SERVICE.has(rec.operation)) {
        const bin = strArg(rec, 'binary_path');
        const verb = rec.operation.startsWith('RChange') ? 'changed' : 'created';
        const s = `service ${svc ?? '(name unknown)'} ${verb}` + (bin !== null ? ` running ${bin}` : '');
        return mk('S', s, svc, bin, ['T1569.002', 'T1021.002']);
      }
      if (START_SERVICE.has(rec.operation)) return mk('X', `service ${svc ?? '(name unknown)'} started`, svc, null, ['T1569.002']);
      if (rec.operation === 'RDeleteService') return mk('C', `service ${svc ?? '(name unknown)'} deleted`, svc, null, ['T1070.004']);
      return null;
    }
    case 'atsvc': {
      if (rec.operation === 'NetrJobAdd') {
        const cmd = strArg(rec, 'command');
        return mk('T', `at job created` + (cmd !== null ? ` running ${cmd}` : ''), null, cmd, ['T1053.002', 'T1021.002']);
      }
      if (rec.operation === 'NetrJobDel') return mk('C', 'at job deleted', null, null, ['T1070.004']);
      return null;
    }
    case 'ITaskSchedulerService': {
      const task = strArg(rec, 'task_path');
      if (rec.operation === 'SchRpcRegisterTask') {
        const cmd = taskCommand(rec);
        return mk('T', `task ${task ?? '(name unknown)'} registered` + (cmd !== null ? ` running ${cmd}` : ''), task, cmd, ['T1053.005', 'T1021.002']);
      }
      if (rec.operation === 'SchRpcRun') return mk('X', `task ${task ?? '(name unknown)'} run`, task, null, ['T1053.005']);
      if (rec.operation === 'SchRpcDelete') return mk('C', `task ${task ?? '(name unknown)'} deleted`, task, null, ['T1070.004']);
      return null;
    }
    case 'IWbemServices': {
      if (!isProcessCreate(rec)) return null;
      const cmd = strArg(rec, 'command');
      return mk('X', 'WMI Win32_Process.Create' + (cmd !== null ? ` running ${cmd}` : ''), null, cmd, ['T1047', 'T1021.003']);
    }
    default:
      return null;
  }
}

function treeStep(rec: TreeDisconnectRecord): Step | null {
  const t = rec.tree;
  if (!t.success || t.shareClass !== 'admin') return null;
  const files = rec.files.map(baseName);
  const share = t.shareName.toLowerCase();
  const mk = (letter: LateralStepLetter, summary: string, techniques: string[]): Step =>
    newStep(rec, letter, summary, false, null, null, files, share, techniques);
  const list = rec.files.length > 0 ? ` (${rec.files.slice(0, 3).join(', ')}${rec.files.length > 3 ? ', …' : ''})` : '';
  if (rec.wroteExecutable) return mk('W', `executable written to ${t.share}${list}`, ['T1570', 'T1021.002']);
  if (rec.activity.reads > 0) return mk('R', `${rec.activity.bytesRead} bytes read back from ${t.share}`, ['T1021.002']);
  const removed = rec.reason === 'tree_disconnect' || rec.reason === 'logoff' || rec.reason === 'connection_close';
  if (removed && rec.activity.writes === 0) {
    return mk('C', `${t.share} disconnected` + (rec.activity.creates > 0 ? ` after opening ${files.some((f) => f !== '') ? files.filter((f) => f !== '').join(', ') : 'a file'}` : ''), ['T1070.005']);
  }
  return null;
}

/** The chain step a record is, or null. */
export function stepOf(rec: LifecycleRecord): Step | null {
  if (rec.kind === 'dcerpc-call') return callStep(rec);
  if (rec.kind === 'tree-disconnect') return treeStep(rec);
  return null;
}
