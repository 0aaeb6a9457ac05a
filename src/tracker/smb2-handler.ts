/**
 * SMB2/3 messages → transactions → the session/tree model. A request opens a typed transaction
 * (transactions.ts) under its MessageId; its final response (STATUS_PENDING interim responses
 * keep it waiting) completes it, and what it means goes to the model: lifecycle commands open
 * and close sessions and trees, CREATE/READ/WRITE/IOCTL/CLOSE count activity and name files.
 */
import type { SmbMessage } from '../shared/stream';
import type { Timestamp, ShareType } from '../shared/records';
import {
  dialectName,
  forEachSmb2,
  newSmb2Header,
  parseCloseRequest,
  parseCreateRequest,
  parseCreateResponse,
  parseIoctlRequest,
  parseIoctlResponse,
  dataView,
  parseReadRequest,
  parseNegotiateResponse,
  parseReadResponse,
  parseSessionSetupRequest,
  parseSetInfoRequest,
  parseSessionSetupResponse,
  parseSmb2Header,
  parseTransformHeader,
  parseTreeConnectRequest,
  parseTreeConnectResponse,
  parseWriteRequest,
} from '../../dissectors/smb2';
import { ntStatusName } from '../../dissectors/ntstatus';
import {
  SMB2_CLOSE,
  SMB2_CREATE,
  SMB2_IOCTL,
  SMB2_LOGOFF,
  SMB2_NEGOTIATE,
  SMB2_READ,
  SMB2_SESSION_SETUP,
  SMB2_SET_INFO,
  SMB2_TREE_CONNECT,
  SMB2_TREE_DISCONNECT,
  SMB2_WRITE,
  type Smb2Header,
} from '../../dissectors/smb2-types';
import { idKey, idKeyHi, smb2FileKeyAt, smb2FileKeyHiAt, smb2SessionIdString, treeIdString } from './ids';
import { applyAuthNote, authKindOf, authNoteFromBlob } from './auth-note';
import { createSucceeded, fileInfoSet, readAnswered, writeRequested } from './file-activity';
import type { ConnState, OpenFile, SessionState, TreeState } from './state';
import type { CreateTx, SessionSetupTx, Transaction, TxKind, TxOf } from './transactions';
import { closeOpen, feedPipeData, isRpcPipeName, openDetachedPipe, pipeOpen, FSCTL_PIPE_TRANSCEIVE } from './dcerpc/pipes';
import type { SessionModel } from './model';

const STATUS_SUCCESS = 0;
const STATUS_PENDING = 0x103;
const STATUS_MORE_PROCESSING_REQUIRED = 0xc0000016;
/** a pipe READ/IOCTL whose answer did not fit: the data present is still the message's start */
const STATUS_BUFFER_OVERFLOW = 0x80000005;
const SESSION_FLAG_IS_GUEST = 0x1;
const SESSION_FLAG_IS_NULL = 0x2;


function shareTypeName(t: number): ShareType | null {
  return t === 1 ? 'disk' : t === 2 ? 'pipe' : t === 3 ? 'print' : null;
}

function fileKey(fileId: Buffer): number {
  return smb2FileKeyAt(fileId, 0);
}

function fileKeyHi(fileId: Buffer): number {
  return smb2FileKeyHiAt(fileId, 0);
}

/** the transaction if it is of the kind this response answers (a reused MessageId may not be) */
function ofKind<K extends TxKind>(tx: Transaction | null, kind: K): TxOf<K> | null {
  return tx !== null && tx.kind === kind ? (tx as TxOf<K>) : null;
}

function isSuccess(status: number): boolean {
  // NT_SUCCESS-style: severity bits 00 (success) or 01 (informational, e.g. BUFFER_OVERFLOW)
  return status >>> 30 === 0 || status >>> 30 === 1;
}

export class Smb2Handler {
  private readonly t: SessionModel;
  private readonly hdr = newSmb2Header();
  private msg: SmbMessage | null = null;
  private cs: ConnState | null = null;

  constructor(model: SessionModel) {
    this.t = model;
  }

  handle(cs: ConnState, msg: SmbMessage): void {
    const err = parseSmb2Header(msg.data, 0, this.hdr);
    if (err) {
      this.t.counters.parseError('smb2:' + err.reason);
      return;
    }
    this.cs = cs;
    this.msg = msg;
    const chainErr = forEachSmb2(msg.data, this.hdr, this.one);
    if (chainErr) this.t.counters.parseError('smb2:' + chainErr.reason);
    this.msg = null;
    this.cs = null;
  }

  /** SMB 3.x TRANSFORM header: count the encrypted message against its session. */
  handleTransform(cs: ConnState, msg: SmbMessage): void {
    const tr = parseTransformHeader(msg.data, 0);
    if (!tr.ok) {
      this.t.counters.parseError('smb2:' + tr.reason);
      return;
    }
    const s = this.sessionFor(cs, tr.sessionIdHi, tr.sessionIdLo, msg);
    if (!s) return;
    s.encryptedMessages++;
    s.encryptedBytes += tr.originalMessageSize;
    this.t.inference.onTransform(s, cs.flow, msg.dir === 0, msg.tsSec, msg.tsNsec, tr.originalMessageSize, msg.length);
  }

  private readonly one = (h: Smb2Header): void => {
    const cs = this.cs!;
    const msg = this.msg!;
    const end = h.nextCommand !== 0 ? Math.min(msg.data.length, h.offset + h.nextCommand) : msg.data.length;
    if (h.isResponse) this.response(cs, msg, h, end);
    else this.request(cs, msg, h, end);
  };

  private request(cs: ConnState, msg: SmbMessage, h: Smb2Header, end: number): void {
    const t = this.t;
    const buf = msg.data;
    switch (h.command) {
      case SMB2_SESSION_SETUP: {
        const r = parseSessionSetupRequest(buf, h, end);
        const tx = this.begin(cs, msg, h, 'session-setup');
        if (r.ok) tx.auth = authNoteFromBlob(r.securityBuffer, t.counters);
        else t.counters.parseError('smb2:' + r.reason);
        return;
      }
      case SMB2_LOGOFF: {
        const s = this.existingSession(cs, h.sessionIdHi, h.sessionIdLo);
        if (s && !s.logoffRequestedAt) s.logoffRequestedAt = ts(msg);
        this.begin(cs, msg, h, 'logoff');
        return;
      }
      case SMB2_TREE_CONNECT: {
        const r = parseTreeConnectRequest(buf, h, end);
        const tx = this.begin(cs, msg, h, 'tree-connect');
        if (r.ok) tx.path = r.path;
        else t.counters.parseError('smb2:' + r.reason);
        return;
      }
      case SMB2_TREE_DISCONNECT: {
        const tree = this.tree(cs, h.sessionIdHi, h.sessionIdLo, h.treeId);
        if (tree && !tree.disconnectRequestedAt) tree.disconnectRequestedAt = ts(msg);
        this.begin(cs, msg, h, 'tree-disconnect');
        return;
      }
      case SMB2_NEGOTIATE:
        this.begin(cs, msg, h, 'negotiate');
        return;
      case SMB2_CREATE: {
        const r = parseCreateRequest(buf, h, end);
        const tx = this.begin(cs, msg, h, 'create');
        if (r.ok) {
          tx.name = r.name;
          tx.forWrite = r.openedForWrite;
        } else t.counters.parseError('smb2:' + r.reason);
        return;
      }
      case SMB2_READ: {
        const tree = this.tree(cs, h.sessionIdHi, h.sessionIdLo, h.treeId);
        if (tree) tree.reads++;
        const tx = this.begin(cs, msg, h, 'read');
        if (cs.files.size > 0) {
          const r = parseReadRequest(buf, h, end);
          if (r.ok) {
            tx.fileKey = fileKey(r.fileId);
            tx.fileKeyHi = fileKeyHi(r.fileId);
            tx.pipe = pipeOpen(cs, tx.fileKey, tx.fileKeyHi) !== null;
          }
        }
        return;
      }
      case SMB2_SET_INFO: {
        if (cs.files.size === 0) return;
        const r = parseSetInfoRequest(buf, h, end);
        if (!r.ok) {
          t.counters.parseError('smb2:' + r.reason);
          return;
        }
        if (r.deletePending || r.newName !== null) fileInfoSet(cs, fileKey(r.fileId), fileKeyHi(r.fileId), ts(msg), r.deletePending, r.newName);
        return;
      }
      case SMB2_WRITE: {
        const tree = this.tree(cs, h.sessionIdHi, h.sessionIdLo, h.treeId);
        if (!tree && cs.files.size === 0) return;
        const r = parseWriteRequest(buf, h, end);
        if (!r.ok) {
          if (tree) tree.writes++;
          t.counters.parseError('smb2:' + r.reason);
          return;
        }
        const f = cs.files.get(fileKey(r.fileId), fileKeyHi(r.fileId));
        if (tree) {
          tree.writes++;
          writeRequested(tree, f, r.dataLength, r.offset, r.head);
        }
        if (f !== undefined && f.pipe) this.pipeData(cs, f, 0, dataView(buf, h, end, r.dataOffset, r.dataLength), msg);
        return;
      }
      case SMB2_IOCTL: {
        const tree = this.tree(cs, h.sessionIdHi, h.sessionIdLo, h.treeId);
        if (tree) tree.ioctls++;
        const r = parseIoctlRequest(buf, h, end);
        if (!r.ok) {
          t.counters.parseError('smb2:' + r.reason);
          return;
        }
        if (r.ctlCode !== FSCTL_PIPE_TRANSCEIVE) return;
        const key = fileKey(r.fileId);
        const keyHi = fileKeyHi(r.fileId);
        const pipe = pipeOpen(cs, key, keyHi);
        if (pipe === null) return;
        const tx = this.begin(cs, msg, h, 'pipe-transceive');
        tx.fileKey = key;
        tx.fileKeyHi = keyHi;
        this.pipeData(cs, pipe, 0, dataView(buf, h, end, r.inputOffset, r.inputCount), msg);
        return;
      }
      case SMB2_CLOSE: {
        const r = parseCloseRequest(buf, h, end);
        if (!r.ok) return;
        const key = fileKey(r.fileId);
        const f = cs.files.get(key, fileKeyHi(r.fileId));
        if (f !== undefined) {
          t.fileClosed(cs, f, ts(msg));
          closeOpen(cs, key, f, ts(msg));
        }
        return;
      }
      default:
        return;
    }
  }

  private response(cs: ConnState, msg: SmbMessage, h: Smb2Header, end: number): void {
    if (h.status === STATUS_PENDING && h.isAsync) return; // interim: the final response follows
    const tx = cs.txs.finish(idKey(h.messageIdHi, h.messageIdLo), idKeyHi(h.messageIdHi));
    try {
      this.complete(cs, msg, h, end, tx);
    } finally {
      if (tx !== null) cs.txs.done(tx);
    }
  }

  /** A final response and the transaction it completes (null: its request was not seen). */
  private complete(cs: ConnState, msg: SmbMessage, h: Smb2Header, end: number, tx: Transaction | null): void {
    const t = this.t;
    const buf = msg.data;
    switch (h.command) {
      case SMB2_NEGOTIATE: {
        const r = parseNegotiateResponse(buf, h, end);
        if (r.ok) {
          const v = dialectName(r.dialect);
          if (v) cs.version = v;
        }
        return;
      }
      case SMB2_SESSION_SETUP:
        this.sessionSetupResponse(cs, msg, h, end, ofKind(tx, 'session-setup'));
        return;
      case SMB2_LOGOFF: {
        const s = this.existingSession(cs, h.sessionIdHi, h.sessionIdLo);
        if (!s) return;
        if (isSuccess(h.status)) t.endSession(s, 'logoff', ts(msg), ntStatusName(h.status));
        else s.logoffRequestedAt = null;
        return;
      }
      case SMB2_TREE_CONNECT: {
        // a response whose request was not seen still yields the tree (share unknown)
        const req = ofKind(tx, 'tree-connect');
        const path = req !== null ? req.path : null;
        if (path === null) t.counters.responsesWithoutRequest++;
        const s = this.sessionFor(cs, h.sessionIdHi, h.sessionIdLo, msg);
        if (!s) return;
        const ok = h.status === STATUS_SUCCESS;
        let shareType: ShareType | null = null;
        if (ok) {
          const r = parseTreeConnectResponse(buf, h, end);
          if (r.ok) shareType = shareTypeName(r.shareType);
          else t.counters.parseError('smb2:' + r.reason);
        }
        t.connectTree(cs, s, h.treeId, treeIdString(h.treeId), path, shareType, ntStatusName(h.status), ok, ts(msg));
        return;
      }
      case SMB2_TREE_DISCONNECT: {
        const req = ofKind(tx, 'tree-disconnect');
        const tree = req !== null ? this.tree(cs, req.sessionHi, req.sessionLo, req.treeId) : this.tree(cs, h.sessionIdHi, h.sessionIdLo, h.treeId);
        if (!tree) return;
        if (isSuccess(h.status)) t.endTree(tree, 'tree_disconnect', ts(msg));
        else tree.disconnectRequestedAt = null;
        return;
      }
      case SMB2_CREATE: {
        const req = ofKind(tx, 'create');
        if (req === null || h.status !== STATUS_SUCCESS) return;
        const tree = this.tree(cs, req.sessionHi, req.sessionLo, req.treeId);
        if (!tree) {
          if (req.name !== null && isRpcPipeName(req.name)) this.detachedPipe(cs, msg, h, end, req);
          return;
        }
        tree.creates++;
        const r = parseCreateResponse(buf, h, end);
        if (!r.ok) {
          t.counters.parseError('smb2:' + r.reason);
          return;
        }
        // Zeek leaves the MAC times unset when LastWriteTime is not after 1970 (pipes, IPC$)
        const times =
          r.lastWriteTime > 0
            ? { modified: r.lastWriteTime, accessed: r.lastAccessTime, created: r.creationTime, changed: r.changeTime }
            : null;
        createSucceeded(t, cs, tree, req.name ?? '', req.forWrite, r.createAction, fileKey(r.fileId), fileKeyHi(r.fileId), {
          ts: { sec: req.tsSec, nsec: req.tsNsec },
          size: r.endOfFile,
          times,
        });
        return;
      }
      case SMB2_READ: {
        const req = ofKind(tx, 'read');
        const pipeRead = req !== null && req.pipe;
        if (!isSuccess(h.status) && !(pipeRead && h.status === STATUS_BUFFER_OVERFLOW)) return;
        const tree = req !== null ? this.tree(cs, req.sessionHi, req.sessionLo, req.treeId) : this.tree(cs, h.sessionIdHi, h.sessionIdLo, h.treeId);
        if (!tree && !pipeRead) return;
        const r = parseReadResponse(buf, h, end);
        if (!r.ok) return;
        if (tree) tree.bytesRead += r.dataLength;
        if (req === null || req.fileKey < 0) return;
        if (!req.pipe) {
          readAnswered(cs, req.fileKey, req.fileKeyHi, r.dataLength);
          return;
        }
        const pipe = pipeOpen(cs, req.fileKey, req.fileKeyHi);
        if (pipe !== null) this.pipeData(cs, pipe, 1, dataView(buf, h, end, r.dataOffset, r.dataLength), msg);
        return;
      }
      case SMB2_IOCTL: {
        const req = ofKind(tx, 'pipe-transceive');
        if (req === null) return;
        if (!isSuccess(h.status) && h.status !== STATUS_BUFFER_OVERFLOW) return;
        const r = parseIoctlResponse(buf, h, end);
        if (!r.ok) {
          t.counters.parseError('smb2:' + r.reason);
          return;
        }
        const pipe = pipeOpen(cs, req.fileKey, req.fileKeyHi);
        if (pipe !== null) this.pipeData(cs, pipe, 1, dataView(buf, h, end, r.outputOffset, r.outputCount), msg);
        return;
      }
      default:
        return;
    }
  }

  private sessionSetupResponse(cs: ConnState, msg: SmbMessage, h: Smb2Header, end: number, req: SessionSetupTx | null): void {
    const t = this.t;
    const now = ts(msg);
    if (h.sessionIdHi === 0 && h.sessionIdLo === 0) return;
    const s = this.sessionFor(cs, h.sessionIdHi, h.sessionIdLo, req !== null ? req : msg);
    if (!s) return;
    const note = req !== null ? req.auth : null;
    applyAuthNote(s, note);
    if (note && (note.mech !== 'none' || !s.lastNote)) s.lastNote = note;
    const ok = h.status === STATUS_SUCCESS;
    let flags = 0;
    if (ok || h.status === STATUS_MORE_PROCESSING_REQUIRED) {
      const r = parseSessionSetupResponse(msg.data, h, end);
      if (r.ok) {
        flags = r.sessionFlags;
        t.noteServerAuth(cs, r.securityBuffer);
      } else t.counters.parseError('smb2:' + r.reason);
    }
    if (h.status === STATUS_MORE_PROCESSING_REQUIRED) return; // the exchange goes on
    const auth = authKindOf(s.lastNote, (flags & SESSION_FLAG_IS_GUEST) !== 0, (flags & SESSION_FLAG_IS_NULL) !== 0);
    s.auth = auth;
    t.emitSessionSetup(cs, s, now, ntStatusName(h.status), ok, auth);
    if (ok) s.established = true;
    else if (!s.established) t.dropSession(s);
  }

  /** A pipe opened in a tree whose connect the capture missed (it started late). */
  private detachedPipe(cs: ConnState, msg: SmbMessage, h: Smb2Header, end: number, req: CreateTx): void {
    const r = parseCreateResponse(msg.data, h, end);
    if (!r.ok) return;
    const s = this.existingSession(cs, req.sessionHi, req.sessionLo);
    const id = (s ? s.sessionId : null) ?? smb2SessionIdString(req.sessionHi, req.sessionLo);
    if (!openDetachedPipe(cs, fileKey(r.fileId), fileKeyHi(r.fileId), req.name ?? '', s, id, this.t.opts.maxOpenFilesPerConnection)) {
      this.t.counters.filesEvicted++;
    }
  }

  private pipeData(cs: ConnState, pipe: OpenFile, dir: 0 | 1, data: Buffer | null, msg: SmbMessage): void {
    feedPipeData(this.t, cs, pipe, dir, data, ts(msg), msg.afterGap);
  }

  /** A request's transaction of `kind`, under its MessageId, with what every request says. */
  private begin<K extends TxKind>(cs: ConnState, msg: SmbMessage, h: Smb2Header, kind: K): TxOf<K> {
    const tx = cs.txs.begin(kind, idKey(h.messageIdHi, h.messageIdLo), idKeyHi(h.messageIdHi), msg.tsSec, msg.tsNsec);
    tx.sessionHi = h.sessionIdHi;
    tx.sessionLo = h.sessionIdLo;
    tx.treeId = h.treeId;
    return tx;
  }

  private key(cs: ConnState, hi: number, lo: number): string {
    return cs.flow.serverIp + '/' + smb2SessionIdString(hi, lo);
  }

  /** The session with this id, if the tracker knows it (cached per connection). */
  private existingSession(cs: ConnState, hi: number, lo: number): SessionState | null {
    if (cs.lastSession && !cs.lastSession.ended && cs.lastSessionHi === hi && cs.lastSessionLo === lo) return cs.lastSession;
    if (hi === 0 && lo === 0) return null;
    const s = this.t.findSession(this.key(cs, hi, lo));
    if (!s || s.ended) return null;
    if (!s.conns.has(cs)) {
      s.conns.add(cs);
      cs.sessions.add(s);
    }
    cs.lastSession = s;
    cs.lastSessionHi = hi;
    cs.lastSessionLo = lo;
    return s;
  }

  /** The session with this id, created when first seen (capture started after its SESSION_SETUP). */
  private sessionFor(cs: ConnState, hi: number, lo: number, at: { tsSec: number; tsNsec: number }): SessionState | null {
    const known = this.existingSession(cs, hi, lo);
    if (known) return known;
    if (hi === 0 && lo === 0) return null;
    const s = this.t.session(cs, this.key(cs, hi, lo), false, smb2SessionIdString(hi, lo), { sec: at.tsSec, nsec: at.tsNsec });
    cs.lastSession = s;
    cs.lastSessionHi = hi;
    cs.lastSessionLo = lo;
    return s;
  }

  private tree(cs: ConnState, hi: number, lo: number, tid: number): TreeState | null {
    const s = this.existingSession(cs, hi, lo);
    const tree = s ? s.trees.get(tid) : undefined;
    if (!tree) {
      this.t.counters.unknownTreeActivity++;
      return null;
    }
    return tree;
  }
}

function ts(msg: SmbMessage): Timestamp {
  return { sec: msg.tsSec, nsec: msg.tsNsec };
}
