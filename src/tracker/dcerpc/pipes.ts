/**
 * The SMB side of DCE/RPC: named-pipe opens on IPC$ carry PDUs in their WRITE/READ data and in
 * FSCTL_PIPE_TRANSCEIVE IOCTLs (SMB1: WRITE_ANDX/READ_ANDX and TransactNmPipe). One conversation
 * per pipe open, made at its first data, ended with the open (CLOSE), its tree or connection.
 */
import type { Timestamp } from '../../shared/records';
import type { ConnState, OpenFile } from '../state';
import { isPipeTree } from '../auth-note';
import { RpcConversation, type RpcHost } from './conversation';
import { PipeOwner } from './owners';

/** FSCTL_PIPE_TRANSCEIVE: write a request and read the answer in one IOCTL */
export const FSCTL_PIPE_TRANSCEIVE = 0x0011c017;

/** The open `key` on this connection, when it is a named pipe. */
export function pipeOpen(cs: ConnState, key: number): OpenFile | null {
  const f = cs.files.get(key);
  return f !== undefined && isPipeTree(f.tree) ? f : null;
}

/** The conversation of a pipe open, made at its first data. */
export function conversationOf(host: RpcHost, cs: ConnState, f: OpenFile): RpcConversation {
  if (f.rpc !== null && !f.rpc.ended) return f.rpc;
  const conv = new RpcConversation(host, new PipeOwner(cs.flow, f.tree, f.name));
  host.rpcCounters.conversations++;
  f.rpc = conv;
  (f.tree.rpcs ??= []).push(conv);
  return conv;
}

/** The open closed (CLOSE, eviction): its conversation's open calls end unanswered. */
export function closeOpen(cs: ConnState, key: number, ts: Timestamp): void {
  const f = cs.files.get(key);
  if (f === undefined) return;
  cs.files.delete(key);
  if (f.rpc !== null) f.rpc.end(ts);
}
