/**
 * What a successful CREATE and a WRITE mean for a tree, the same for SMB1 and SMB2: named pipes
 * opened (IPC$), files written or created, executables dropped. Handlers pass in what their
 * dissectors found; file handles are keyed per connection (folded FileId or FID).
 */
import { isPipeTree, looksExecutableName, pipeName } from './auth-note';
import type { ConnState, TreeState } from './state';
import type { Tracker } from './tracker';

const FILE_SUPERSEDED = 0;
const FILE_CREATED = 2;
const FILE_OVERWRITTEN = 3;

/** `''` or `\\`: a CREATE of the share root itself */
function isShareRoot(name: string): boolean {
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) !== 0x5c) return false;
  return true;
}

export function createSucceeded(
  t: Tracker,
  cs: ConnState,
  tree: TreeState,
  name: string,
  openedForWrite: boolean,
  createAction: number,
  fileKey: number,
): void {
  const created = createAction === FILE_CREATED || createAction === FILE_OVERWRITTEN || createAction === FILE_SUPERSEDED;
  if (isPipeTree(tree)) {
    const pipe = pipeName(name);
    tree.session.notePipe(pipe);
    tree.notePipe(pipe);
  } else if (isShareRoot(name)) {
    // the share root (empty name) opened for write is a directory handle, not a file written
  } else if (created || openedForWrite) {
    tree.noteFile(name);
    if (created) {
      tree.wroteFiles = true;
      if (looksExecutableName(name)) tree.wroteExecutable = true;
    }
  }
  if (cs.files.size >= t.opts.maxOpenFilesPerConnection) {
    const oldest = cs.files.keys().next().value as number;
    const f = cs.files.get(oldest)!;
    cs.files.delete(oldest);
    if (f.rpc !== null) f.rpc.end(t.now());
    t.counters.filesEvicted++;
  }
  cs.files.set(fileKey, { name, tree, forWrite: openedForWrite, pipe: isPipeTree(tree), session: tree.session, sessionId: tree.session.sessionId, rpc: null });
}

/** A WRITE request on `tree` to the handle `fileKey`; `head` = the data's first bytes present. */
export function writeRequested(
  cs: ConnState,
  tree: TreeState,
  fileKey: number,
  dataLength: number,
  offset: number,
  head: Buffer,
): void {
  tree.bytesWritten += dataLength;
  if (isPipeTree(tree)) return; // DCE/RPC over a named pipe: activity, not a file
  const f = cs.files.get(fileKey);
  if (f && isShareRoot(f.name)) return;
  tree.wroteFiles = true;
  if (f && f.tree !== null) {
    f.tree.noteFile(f.name);
    if (looksExecutableName(f.name)) tree.wroteExecutable = true;
  }
  if (offset === 0 && head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a) tree.wroteExecutable = true;
}
