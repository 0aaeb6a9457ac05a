/**
 * What a successful CREATE and a WRITE mean for a tree, the same for SMB1 and SMB2: named pipes
 * opened (IPC$), files written or created, executables dropped. Handlers pass in what their
 * dissectors found; file handles are keyed per connection (folded FileId or FID).
 */
import { isPipeTree, looksExecutableName, pipeName } from './auth-note';
import type { FileTimes, Timestamp } from '../shared/records';
import type { ConnState, OpenFile, TreeState } from './state';
import type { SessionModel } from './model';

/** What a CREATE response says of the file (for smb_files.log), when the handler decoded it. */
export interface OpenedFacts {
  readonly ts: Timestamp;
  readonly size: number | null;
  readonly times: FileTimes | null;
}

const FILE_SUPERSEDED = 0;
const FILE_CREATED = 2;
const FILE_OVERWRITTEN = 3;

/** `''` or `\\`: a CREATE of the share root itself */
function isShareRoot(name: string): boolean {
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) !== 0x5c) return false;
  return true;
}

export function createSucceeded(
  t: SessionModel,
  cs: ConnState,
  tree: TreeState,
  name: string,
  openedForWrite: boolean,
  createAction: number,
  fileKey: number,
  keyHi: number,
  facts: OpenedFacts | null = null,
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
    const oldest = cs.files.oldestKey();
    const f = cs.files.at(oldest)!;
    t.fileClosed(cs, f, facts ? facts.ts : null);
    cs.files.delete(oldest);
    if (f.rpc !== null) f.rpc.end(t.now());
    t.counters.filesEvicted++;
  }
  // a handle still at this key (its CLOSE was not seen) ends here
  const prior = cs.files.at(fileKey);
  if (prior) t.fileClosed(cs, prior, facts ? facts.ts : null);
  const pipe = isPipeTree(tree);
  const f: OpenFile = { keyHi, name, tree, forWrite: openedForWrite, pipe, session: tree.session, sessionId: tree.session.sessionId, rpc: null };
  if (facts && !pipe) {
    f.openTs = facts.ts;
    f.size = facts.size;
    f.times = facts.times;
    f.bytesRead = 0;
    f.bytesWritten = 0;
  }
  cs.files.set(fileKey, f);
}

/** A SET_INFO that deletes (delete pending) or renames the open file `fileKey`. */
export function fileInfoSet(cs: ConnState, fileKey: number, keyHi: number, ts: Timestamp, deletePending: boolean, newName: string | null): void {
  const f = cs.files.get(fileKey, keyHi);
  if (!f || f.openTs === undefined) return;
  if (deletePending) f.deleteTs = ts;
  if (newName !== null) {
    f.renamedTo = newName;
    f.renameTs = ts;
  }
}

/** A READ response's data length, for the handle it read. */
export function readAnswered(cs: ConnState, fileKey: number, keyHi: number, dataLength: number): void {
  const f = cs.files.get(fileKey, keyHi);
  if (f && f.bytesRead !== undefined) f.bytesRead += dataLength;
}

/** A WRITE request on `tree` to the open `f` (if known); `head` = the data's first bytes present. */
export function writeRequested(
  tree: TreeState,
  f: OpenFile | undefined,
  dataLength: number,
  offset: number,
  head: Buffer,
): void {
  tree.bytesWritten += dataLength;
  if (isPipeTree(tree)) return; // DCE/RPC over a named pipe: activity, not a file
  if (f && isShareRoot(f.name)) return;
  tree.wroteFiles = true;
  if (f && f.tree !== null) {
    if (f.bytesWritten !== undefined) f.bytesWritten += dataLength;
    f.tree.noteFile(f.name);
    if (looksExecutableName(f.name)) tree.wroteExecutable = true;
  }
  if (offset === 0 && head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a) tree.wroteExecutable = true;
}
