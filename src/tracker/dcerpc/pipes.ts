/**
 * The SMB side of DCE/RPC: named-pipe opens on IPC$ carry PDUs in their WRITE/READ data and in
 * FSCTL_PIPE_TRANSCEIVE IOCTLs (SMB1: WRITE_ANDX/READ_ANDX and TransactNmPipe). One conversation
 * per pipe open, made at its first data, ended with the open (CLOSE), its tree or connection.
 */
import type { Timestamp } from '../../shared/records';
import type { ConnState, OpenFile, SessionState } from '../state';
import { pipeName } from '../auth-note';
import { RpcConversation, type RpcHost } from './conversation';
import { PipeOwner } from './owners';

/** FSCTL_PIPE_TRANSCEIVE: write a request and read the answer in one IOCTL */
export const FSCTL_PIPE_TRANSCEIVE = 0x0011c017;

/** The open `key` on this connection, when it is a named pipe. */
export function pipeOpen(cs: ConnState, key: number, keyHi: number): OpenFile | null {
  const f = cs.files.get(key, keyHi);
  return f !== undefined && f.pipe ? f : null;
}

/** The conversation of a pipe open, made at its first data. */
export function conversationOf(host: RpcHost, cs: ConnState, f: OpenFile): RpcConversation {
  if (f.rpc !== null && !f.rpc.ended) return f.rpc;
  const conv = new RpcConversation(host, new PipeOwner(cs, f));
  host.rpcCounters.conversations++;
  f.rpc = conv;
  if (f.tree !== null) (f.tree.rpcs ??= []).push(conv);
  return conv;
}

/** Pipes whose opens are DCE/RPC endpoints (MS-RPCE well-known pipe names), lower case. */
const RPC_PIPES = new Set([
  'atsvc', 'browser', 'drsuapi', 'dssetup', 'efsrpc', 'epmapper', 'eventlog', 'initshutdown', 'keysvc', 'lsarpc',
  'lsass', 'netdfs', 'netlogon', 'ntsvcs', 'protected_storage', 'samr', 'scerpc', 'spoolss', 'srvsvc', 'svcctl',
  'tapsrv', 'trkwks', 'w32time', 'winreg', 'wkssvc', 'iremotewinspool', 'tsch', 'netsetup', 'cert',
]);

/**
 * A CREATE answered in a tree whose connect the capture missed (it started late): the open is
 * still a pipe when its name is a well-known RPC pipe (`atsvc`, `\PIPE\svcctl`, …).
 */
export function isRpcPipeName(name: string): boolean {
  return RPC_PIPES.has(pipeNameOf(name));
}

/** the tracker's pipe name (auth-note's pipeName), also without a `PIPE/` prefix */
function pipeNameOf(name: string): string {
  const n = pipeName(name);
  return n.startsWith('pipe/') ? n.slice(5) : n;
}

/** Remember a pipe opened in an unseen tree (bounded like every open). */
export function openDetachedPipe(
  cs: ConnState,
  key: number,
  keyHi: number,
  name: string,
  session: SessionState | null,
  sessionId: string,
  maxOpen: number,
): boolean {
  if (cs.files.size >= maxOpen) return false;
  cs.files.set(key, { keyHi, name, tree: null, forWrite: true, pipe: true, session, sessionId, rpc: null });
  return true;
}

/** Named-pipe data in one direction for the open's conversation (null: not all of it present). */
export function feedPipeData(host: RpcHost, cs: ConnState, f: OpenFile, dir: 0 | 1, data: Buffer | null, ts: Timestamp, afterGap: boolean): void {
  const conv = conversationOf(host, cs, f);
  if (data === null) {
    host.rpcCounters.error('dcerpc:pipe-data-cut');
    conv.noteGap();
    return;
  }
  if (data.length > 0) conv.feedPipe(dir, data, ts, afterGap);
}

/** The open `f` at `key` closed (CLOSE): its conversation's open calls end unanswered. */
export function closeOpen(cs: ConnState, key: number, f: OpenFile, ts: Timestamp): void {
  cs.files.delete(key);
  if (f.rpc !== null) f.rpc.end(ts);
}
