/**
 * SMB1 (CIFS) messages → transactions → the session/tree model. A request is one AndXTx under
 * its PID+MID holding a typed record per chained command (AndX chains are walked by the
 * dissector, loop-guarded); its response completes it. Sessions are keyed by connection + UID.
 */
import type { SmbMessage } from '../shared/stream';
import type { ShareType, Timestamp } from '../shared/records';
import {
  newSmb1Header,
  parseSmb1Close,
  parseSmb1Header,
  parseSmb1NtCreateRequest,
  parseSmb1NtCreateResponse,
  parseSmb1ReadResponse,
  parseSmb1SessionSetupRequest,
  parseSmb1SessionSetupResponse,
  parseSmb1TreeConnectRequest,
  parseSmb1TreeConnectResponse,
  parseSmb1WriteRequest,
  walkAndX,
} from '../../dissectors/smb1';
import { dosErrorName, ntStatusName } from '../../dissectors/ntstatus';
import {
  SMB1_CLOSE,
  SMB1_LOGOFF_ANDX,
  SMB1_NEGOTIATE,
  SMB1_NT_CREATE_ANDX,
  SMB1_READ_ANDX,
  SMB1_SESSION_SETUP_ANDX,
  SMB1_TRANSACTION,
  SMB1_TREE_CONNECT_ANDX,
  SMB1_TREE_DISCONNECT,
  SMB1_WRITE_ANDX,
  type Smb1Command,
  type Smb1Header,
} from '../../dissectors/smb1-types';
import { smb1TxKey, smb1UidString, treeIdString } from './ids';
import { applyAuthNote, authKindOf, authNoteFromBlob, type AuthNote } from './auth-note';
import { createSucceeded, writeRequested } from './file-activity';
import { closeOpen, feedPipeData, isRpcPipeName, openDetachedPipe, pipeOpen } from './dcerpc/pipes';
import {
  TRANS_TRANSACT_NMPIPE,
  parseSmb1TransactionRequest,
  parseSmb1TransactionResponse,
  smb1DataView,
  stripPipeMessageLength,
} from '../../dissectors/smb1-pipe';
import type { ConnState, SessionState, TreeState } from './state';
import type { SessionModel } from './model';
import type { AndXTx, CommandTx, TxOf } from './transactions';

const STATUS_MORE_PROCESSING_REQUIRED = 0xc0000016;
/** a pipe read whose message did not fit: the data present is still its start */
const STATUS_BUFFER_OVERFLOW = 0x80000005;

function serviceShareType(service: string): ShareType | null {
  const s = service.toUpperCase();
  if (s.startsWith('A:')) return 'disk';
  if (s.startsWith('IPC')) return 'pipe';
  if (s.startsWith('LPT')) return 'print';
  return null;
}

function ts(msg: SmbMessage): Timestamp {
  return { sec: msg.tsSec, nsec: msg.tsNsec };
}

export class Smb1Handler {
  private readonly t: SessionModel;
  private readonly hdr = newSmb1Header();
  private readonly cmds: Smb1Command[] = [];

  constructor(model: SessionModel) {
    this.t = model;
  }

  handle(cs: ConnState, msg: SmbMessage): void {
    const h = this.hdr;
    const err = parseSmb1Header(msg.data, 0, h);
    if (err) {
      this.t.counters.parseError('smb1:' + err.reason);
      return;
    }
    cs.version = '1';
    const cmds = this.cmds;
    cmds.length = 0;
    const chainErr = walkAndX(msg.data, h, (c) => {
      cmds.push({ ...c });
    });
    if (chainErr) this.t.counters.parseError('smb1:' + chainErr.reason);
    if (h.isResponse) this.response(cs, msg, h, cmds);
    else this.request(cs, msg, h, cmds);
  }

  private statusName(h: Smb1Header): string {
    return h.ntStatus ? ntStatusName(h.status) : dosErrorName(h.dosClass, h.dosCode);
  }

  private isOk(h: Smb1Header): boolean {
    return h.ntStatus ? h.status >>> 30 === 0 : h.dosClass === 0;
  }

  private request(cs: ConnState, msg: SmbMessage, h: Smb1Header, cmds: Smb1Command[]): void {
    const t = this.t;
    const buf = msg.data;
    let chain: AndXTx | null = null;
    /** the typed record of chained command i (the request's transaction made at the first) */
    const part = <K extends CommandTx['kind']>(i: number, kind: K): TxOf<K> => {
      if (chain === null) {
        chain = cs.txs.begin('andx', smb1TxKey(h.pid, h.mid, h.command), h.pid >>> 16, msg.tsSec, msg.tsNsec);
        chain.uid = h.uid;
        chain.treeId = h.tid;
      }
      const tx = cs.txs.part(chain, kind);
      while (chain.parts.length < i) chain.parts.push(null);
      chain.parts[i] = tx;
      return tx;
    };
    for (let i = 0; i < cmds.length; i++) {
      const c = cmds[i];
      switch (c.command) {
        case SMB1_NEGOTIATE:
          part(i, 'negotiate');
          break;
        case SMB1_SESSION_SETUP_ANDX: {
          const r = parseSmb1SessionSetupRequest(buf, h, c);
          const tx = part(i, 'session-setup');
          if (!r.ok) {
            t.counters.parseError('smb1:' + r.reason);
            break;
          }
          if (r.securityBlob) tx.auth = authNoteFromBlob(r.securityBlob, t.counters);
          else tx.auth = plainLogonNote(r.account, r.domain);
          break;
        }
        case SMB1_TREE_CONNECT_ANDX: {
          const r = parseSmb1TreeConnectRequest(buf, h, c);
          const tx = part(i, 'tree-connect');
          if (r.ok) tx.path = r.path;
          else t.counters.parseError('smb1:' + r.reason);
          break;
        }
        case SMB1_TREE_DISCONNECT: {
          const tree = this.tree(cs, h.uid, h.tid);
          if (tree && !tree.disconnectRequestedAt) tree.disconnectRequestedAt = ts(msg);
          part(i, 'tree-disconnect');
          break;
        }
        case SMB1_LOGOFF_ANDX: {
          const s = this.existing(cs, h.uid);
          if (s && !s.logoffRequestedAt) s.logoffRequestedAt = ts(msg);
          part(i, 'logoff');
          break;
        }
        case SMB1_NT_CREATE_ANDX: {
          const r = parseSmb1NtCreateRequest(buf, h, c);
          const tx = part(i, 'create');
          if (r.ok) {
            tx.name = r.name;
            tx.forWrite = r.openedForWrite;
          } else t.counters.parseError('smb1:' + r.reason);
          break;
        }
        case SMB1_READ_ANDX: {
          const tree = this.tree(cs, h.uid, h.tid);
          if (tree) tree.reads++;
          const tx = part(i, 'read');
          // READ_ANDX request words: AndX (4), FID
          if (c.wordCount >= 10 && cs.files.size > 0) {
            const fid = buf.readUInt16LE(c.paramsOffset + 4);
            if (pipeOpen(cs, fid, 0) !== null) {
              tx.fileKey = fid;
              tx.pipe = true;
            }
          }
          break;
        }
        case SMB1_WRITE_ANDX: {
          const tree = this.tree(cs, h.uid, h.tid);
          if (!tree && cs.files.size === 0) break;
          const r = parseSmb1WriteRequest(buf, h, c);
          if (!r.ok) {
            if (tree) tree.writes++;
            t.counters.parseError('smb1:' + r.reason);
            break;
          }
          const f = cs.files.get(r.fid, 0);
          if (tree) {
            tree.writes++;
            writeRequested(tree, f, r.dataLength, r.offset, r.head);
          }
          if (f !== undefined && f.pipe) {
            const data = smb1DataView(buf, h, r.dataOffset, r.dataLength);
            feedPipeData(t, cs, f, 0, data === null ? null : stripPipeMessageLength(data), ts(msg), msg.afterGap);
          }
          break;
        }
        case SMB1_TRANSACTION: {
          if (cs.files.size === 0) break;
          const r = parseSmb1TransactionRequest(buf, h, c);
          if (!r.ok || r.subcommand !== TRANS_TRANSACT_NMPIPE) break;
          const pipe = pipeOpen(cs, r.fid, 0);
          if (pipe === null) break;
          part(i, 'pipe-transceive').fileKey = r.fid;
          feedPipeData(t, cs, pipe, 0, r.data, ts(msg), msg.afterGap);
          break;
        }
        case SMB1_CLOSE: {
          const r = parseSmb1Close(buf, h, c);
          const f = r.ok ? cs.files.get(r.fid, 0) : undefined;
          if (r.ok && f !== undefined) {
            t.fileClosed(cs, f, ts(msg));
            closeOpen(cs, r.fid, f, ts(msg));
          }
          break;
        }
        default:
          break;
      }
    }
    const tx = chain as AndXTx | null;
    if (tx === null) return;
    for (let i = 0; i < cmds.length; i++) {
      tx.commands.push(cmds[i].command);
      if (tx.parts.length <= i) tx.parts.push(null);
    }
  }

  private response(cs: ConnState, msg: SmbMessage, h: Smb1Header, cmds: Smb1Command[]): void {
    const found = cs.txs.finish(smb1TxKey(h.pid, h.mid, h.command), h.pid >>> 16);
    const req = found !== null && found.kind === 'andx' ? found : null;
    const ok = this.isOk(h);
    const buf = msg.data;
    try {
      // On an error the status belongs to the last command of the response chain; when the
      // response carries no command blocks at all, to the header's command.
      if (cmds.length === 0) this.one(cs, msg, h, null, h.command, ok, req, buf);
      for (let i = 0; i < cmds.length; i++) {
        const last = i === cmds.length - 1;
        this.one(cs, msg, h, cmds[i], cmds[i].command, last ? ok : true, req, buf);
      }
      // A chained request whose later commands got no response block failed on them.
      if (!ok && req !== null && req.commands.length > cmds.length) {
        for (let i = Math.max(1, cmds.length); i < req.commands.length; i++) this.one(cs, msg, h, null, req.commands[i], false, req, buf);
      }
    } finally {
      if (found !== null) cs.txs.done(found);
    }
  }

  private one(
    cs: ConnState,
    msg: SmbMessage,
    h: Smb1Header,
    c: Smb1Command | null,
    command: number,
    ok: boolean,
    req: AndXTx | null,
    buf: Buffer,
  ): void {
    const t = this.t;
    const statusName = ok ? (h.ntStatus ? ntStatusName(0) : dosErrorName(0, 0)) : this.statusName(h);
    // the request's uid and tid where it was seen, else the response's
    const uid = req !== null ? req.uid : h.uid;
    const tid = req !== null ? req.treeId : h.tid;
    switch (command) {
      case SMB1_SESSION_SETUP_ANDX: {
        const setup = req !== null ? req.part(command, 'session-setup') : null;
        const auth = setup !== null ? setup.auth : null;
        const s = this.session(cs, h.uid, req ?? msg);
        applyAuthNote(s, auth);
        if (auth) s.lastNote = auth;
        const more = h.ntStatus && h.status === STATUS_MORE_PROCESSING_REQUIRED;
        let action = 0;
        if ((ok || more) && c && c.wordCount > 0) {
          const r = parseSmb1SessionSetupResponse(buf, h, c);
          if (r.ok) {
            action = r.action;
            t.noteServerAuth(cs, r.securityBlob);
          } else t.counters.parseError('smb1:' + r.reason);
        }
        if (more) return;
        const kind = authKindOf(s.lastNote, (action & 1) !== 0, false);
        s.auth = kind;
        t.emitSessionSetup(cs, s, ts(msg), statusName, ok, kind);
        if (ok) s.established = true;
        else if (!s.established) t.dropSession(s);
        return;
      }
      case SMB1_TREE_CONNECT_ANDX: {
        // a response whose request was not seen still yields the tree (share unknown)
        const connect = req !== null ? req.part(command, 'tree-connect') : null;
        const path = connect !== null ? connect.path : null;
        if (path === null) t.counters.responsesWithoutRequest++;
        const s = this.session(cs, uid || h.uid, req ?? msg);
        let shareType: ShareType | null = null;
        if (ok && c && c.wordCount > 0) {
          const r = parseSmb1TreeConnectResponse(buf, h, c);
          if (r.ok) shareType = serviceShareType(r.service);
          else t.counters.parseError('smb1:' + r.reason);
        }
        t.connectTree(cs, s, h.tid, treeIdString(h.tid), path, shareType, statusName, ok, ts(msg));
        return;
      }
      case SMB1_TREE_DISCONNECT: {
        const tree = this.tree(cs, uid, tid);
        if (!tree) return;
        if (ok) t.endTree(tree, 'tree_disconnect', ts(msg));
        else tree.disconnectRequestedAt = null;
        return;
      }
      case SMB1_LOGOFF_ANDX: {
        const s = this.existing(cs, uid);
        if (!s) return;
        if (ok) t.endSession(s, 'logoff', ts(msg), statusName);
        else s.logoffRequestedAt = null;
        return;
      }
      case SMB1_NT_CREATE_ANDX: {
        const create = req !== null ? req.part(command, 'create') : null;
        if (!ok || create === null || !c) return;
        const tree = this.tree(cs, create.uid, create.treeId);
        if (!tree) {
          // a pipe opened in a tree whose connect the capture missed
          if (create.name === null || !isRpcPipeName(create.name)) return;
          const r = parseSmb1NtCreateResponse(buf, h, c);
          const s = this.existing(cs, create.uid);
          if (r.ok && !openDetachedPipe(cs, r.fid, 0, create.name, s, s?.sessionId ?? smb1UidString(create.uid), t.opts.maxOpenFilesPerConnection)) {
            t.counters.filesEvicted++;
          }
          return;
        }
        tree.creates++;
        const r = parseSmb1NtCreateResponse(buf, h, c);
        if (!r.ok) {
          t.counters.parseError('smb1:' + r.reason);
          return;
        }
        const times =
          r.lastWriteTime > 0
            ? { modified: r.lastWriteTime, accessed: r.lastAccessTime, created: r.creationTime, changed: r.changeTime }
            : null;
        createSucceeded(t, cs, tree, create.name ?? '', create.forWrite, r.createAction, r.fid, 0, {
          ts: { sec: create.tsSec, nsec: create.tsNsec },
          size: r.endOfFile,
          times,
        });
        return;
      }
      case SMB1_READ_ANDX: {
        const read = req !== null ? req.part(command, 'read') : null;
        const pipeFid = read !== null && read.pipe ? read.fileKey : -1;
        if (!c || !(ok || (pipeFid >= 0 && h.ntStatus && h.status === STATUS_BUFFER_OVERFLOW))) return;
        const tree = this.tree(cs, uid, tid);
        if (!tree && pipeFid < 0) return;
        const r = parseSmb1ReadResponse(buf, h, c);
        if (!r.ok) return;
        if (tree) tree.bytesRead += r.dataLength;
        const pipe = pipeFid >= 0 ? pipeOpen(cs, pipeFid, 0) : null;
        if (pipe !== null) feedPipeData(t, cs, pipe, 1, smb1DataView(buf, h, r.dataOffset, r.dataLength), ts(msg), msg.afterGap);
        return;
      }
      case SMB1_TRANSACTION: {
        const trans = req !== null ? req.part(command, 'pipe-transceive') : null;
        if (!c || trans === null) return;
        if (!(ok || (h.ntStatus && h.status === STATUS_BUFFER_OVERFLOW))) return;
        const pipe = pipeOpen(cs, trans.fileKey, 0);
        if (pipe === null) return;
        const r = parseSmb1TransactionResponse(buf, h, c);
        if (r.ok) feedPipeData(t, cs, pipe, 1, r.data, ts(msg), msg.afterGap);
        return;
      }
      default:
        return;
    }
  }

  private key(cs: ConnState, uid: number): string {
    return cs.conn.id + '/u' + uid;
  }

  private existing(cs: ConnState, uid: number): SessionState | null {
    const s = this.t.findSession(this.key(cs, uid));
    return s && !s.ended ? s : null;
  }

  private session(cs: ConnState, uid: number, at: { tsSec: number; tsNsec: number }): SessionState {
    return this.existing(cs, uid) ?? this.t.session(cs, this.key(cs, uid), true, smb1UidString(uid), { sec: at.tsSec, nsec: at.tsNsec });
  }

  /** SMB1 TIDs belong to the connection; look in the UID's session first, then the others. */
  private tree(cs: ConnState, uid: number, tid: number): TreeState | null {
    const s = this.existing(cs, uid);
    const direct = s ? s.trees.get(tid) : undefined;
    if (direct) return direct;
    for (const other of cs.sessions) {
      const tr = other.trees.get(tid);
      if (tr) return tr;
    }
    this.t.counters.unknownTreeActivity++;
    return null;
  }
}

function plainLogonNote(account: string | null, domain: string | null): AuthNote {
  return {
    user: account,
    domain,
    workstation: null,
    anonymous: !account,
    mech: 'none',
    kerberosRealm: null,
    kerberosService: null,
  };
}
