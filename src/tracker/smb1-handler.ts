/**
 * SMB1 (CIFS) messages → tracker state. Requests are matched to responses by PID+MID; AndX
 * chains are walked by the dissector (loop-guarded). Sessions are keyed by connection + UID.
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
import { smb1UidString, treeIdString } from './ids';
import { applyAuthNote, authKindOf, authNoteFromBlob } from './auth-note';
import { createSucceeded, writeRequested } from './file-activity';
import { closeOpen, feedPipeData, isRpcPipeName, openDetachedPipe, pipeOpen } from './dcerpc/pipes';
import {
  TRANS_TRANSACT_NMPIPE,
  parseSmb1TransactionRequest,
  parseSmb1TransactionResponse,
  smb1DataView,
  stripPipeMessageLength,
} from '../../dissectors/smb1-pipe';
import type { AuthNote, ConnState, PendingRequest, SessionState, TreeState } from './state';
import type { Tracker } from './tracker';

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
  private readonly t: Tracker;
  private readonly hdr = newSmb1Header();
  private readonly cmds: Smb1Command[] = [];

  constructor(tracker: Tracker) {
    this.t = tracker;
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
    let p: PendingRequest | null = null;
    const pending = (): PendingRequest => {
      if (!p) {
        p = t.acquirePending(cs, h.pid * 65536 + h.mid);
        p.command = h.command;
        p.tsSec = msg.tsSec;
        p.tsNsec = msg.tsNsec;
        p.uid = h.uid;
        p.treeId = h.tid;
      }
      return p;
    };
    for (const c of cmds) {
      switch (c.command) {
        case SMB1_NEGOTIATE:
          pending();
          break;
        case SMB1_SESSION_SETUP_ANDX: {
          const r = parseSmb1SessionSetupRequest(buf, h, c);
          const pr = pending();
          if (!r.ok) {
            t.counters.parseError('smb1:' + r.reason);
            break;
          }
          if (r.securityBlob) pr.auth = authNoteFromBlob(r.securityBlob, t.counters);
          else pr.auth = plainLogonNote(r.account, r.domain);
          break;
        }
        case SMB1_TREE_CONNECT_ANDX: {
          const r = parseSmb1TreeConnectRequest(buf, h, c);
          const pr = pending();
          if (r.ok) pr.name = r.path;
          else t.counters.parseError('smb1:' + r.reason);
          break;
        }
        case SMB1_TREE_DISCONNECT: {
          const tree = this.tree(cs, h.uid, h.tid);
          if (tree && !tree.disconnectRequestedAt) tree.disconnectRequestedAt = ts(msg);
          pending();
          break;
        }
        case SMB1_LOGOFF_ANDX: {
          const s = this.existing(cs, h.uid);
          if (s && !s.logoffRequestedAt) s.logoffRequestedAt = ts(msg);
          pending();
          break;
        }
        case SMB1_NT_CREATE_ANDX: {
          const r = parseSmb1NtCreateRequest(buf, h, c);
          const pr = pending();
          if (r.ok) {
            pr.name = r.name;
            pr.openedForWrite = r.openedForWrite;
          } else t.counters.parseError('smb1:' + r.reason);
          break;
        }
        case SMB1_READ_ANDX: {
          const tree = this.tree(cs, h.uid, h.tid);
          if (tree) tree.reads++;
          const pr = pending();
          // READ_ANDX request words: AndX (4), FID
          if (c.wordCount >= 10 && cs.files.size > 0) {
            const fid = buf.readUInt16LE(c.paramsOffset + 4);
            if (pipeOpen(cs, fid) !== null) pr.pipeFileKey = fid;
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
          if (tree) {
            tree.writes++;
            writeRequested(cs, tree, r.fid, r.dataLength, r.offset, r.head);
          }
          const pipe = pipeOpen(cs, r.fid);
          if (pipe !== null) {
            const data = smb1DataView(buf, h, r.dataOffset, r.dataLength);
            feedPipeData(t, cs, pipe, 0, data === null ? null : stripPipeMessageLength(data), ts(msg), msg.afterGap);
          }
          break;
        }
        case SMB1_TRANSACTION: {
          if (cs.files.size === 0) break;
          const r = parseSmb1TransactionRequest(buf, h, c);
          if (!r.ok || r.subcommand !== TRANS_TRANSACT_NMPIPE) break;
          const pipe = pipeOpen(cs, r.fid);
          if (pipe === null) break;
          pending().pipeFileKey = r.fid;
          feedPipeData(t, cs, pipe, 0, r.data, ts(msg), msg.afterGap);
          break;
        }
        case SMB1_CLOSE: {
          const r = parseSmb1Close(buf, h, c);
          if (r.ok) closeOpen(cs, r.fid, ts(msg));
          break;
        }
        default:
          break;
      }
    }
    if (p) (p as PendingRequest).chain = cmds.map((c) => c.command);
  }

  private response(cs: ConnState, msg: SmbMessage, h: Smb1Header, cmds: Smb1Command[]): void {
    const t = this.t;
    const p = t.takePending(cs, h.pid * 65536 + h.mid);
    const ok = this.isOk(h);
    const buf = msg.data;
    // On an error the status belongs to the last command of the response chain; when the
    // response carries no command blocks at all, to the header's command.
    const list = cmds.length > 0 ? cmds : [];
    try {
      if (list.length === 0) this.one(cs, msg, h, null, h.command, ok, p, buf);
      for (let i = 0; i < list.length; i++) {
        const last = i === list.length - 1;
        this.one(cs, msg, h, list[i], list[i].command, last ? ok : true, p, buf);
      }
      // A chained request whose later commands got no response block failed on them.
      if (!ok && p && p.chain && p.chain.length > list.length) {
        for (let i = Math.max(1, list.length); i < p.chain.length; i++) this.one(cs, msg, h, null, p.chain[i], false, p, buf);
      }
    } finally {
      if (p) t.release(p);
    }
  }

  private one(
    cs: ConnState,
    msg: SmbMessage,
    h: Smb1Header,
    c: Smb1Command | null,
    command: number,
    ok: boolean,
    p: PendingRequest | null,
    buf: Buffer,
  ): void {
    const t = this.t;
    const statusName = ok ? (h.ntStatus ? ntStatusName(0) : dosErrorName(0, 0)) : this.statusName(h);
    switch (command) {
      case SMB1_SESSION_SETUP_ANDX: {
        const s = this.session(cs, h.uid, p ?? msg);
        applyAuthNote(s, p ? p.auth : null);
        if (p && p.auth) s.lastNote = p.auth;
        if (h.ntStatus && h.status === STATUS_MORE_PROCESSING_REQUIRED) return;
        let action = 0;
        if (ok && c && c.wordCount > 0) {
          const r = parseSmb1SessionSetupResponse(buf, h, c);
          if (r.ok) action = r.action;
          else t.counters.parseError('smb1:' + r.reason);
        }
        const auth = authKindOf(s.lastNote, (action & 1) !== 0, false);
        s.auth = auth;
        t.emitSessionSetup(cs, s, ts(msg), statusName, ok, auth);
        if (ok) s.established = true;
        else if (!s.established) t.dropSession(s);
        return;
      }
      case SMB1_TREE_CONNECT_ANDX: {
        // a response whose request was not seen still yields the tree (share unknown)
        if (!p || p.name === null) t.counters.responsesWithoutRequest++;
        const s = this.session(cs, (p && p.uid) || h.uid, p ?? msg);
        let shareType: ShareType | null = null;
        if (ok && c && c.wordCount > 0) {
          const r = parseSmb1TreeConnectResponse(buf, h, c);
          if (r.ok) shareType = serviceShareType(r.service);
          else t.counters.parseError('smb1:' + r.reason);
        }
        t.connectTree(cs, s, h.tid, treeIdString(h.tid), p?.name ?? null, shareType, statusName, ok, ts(msg));
        return;
      }
      case SMB1_TREE_DISCONNECT: {
        const tree = this.tree(cs, p ? p.uid : h.uid, p ? p.treeId : h.tid);
        if (!tree) return;
        if (ok) t.endTree(tree, 'tree_disconnect', ts(msg));
        else tree.disconnectRequestedAt = null;
        return;
      }
      case SMB1_LOGOFF_ANDX: {
        const s = this.existing(cs, p ? p.uid : h.uid);
        if (!s) return;
        if (ok) t.endSession(s, 'logoff', ts(msg), statusName);
        else s.logoffRequestedAt = null;
        return;
      }
      case SMB1_NT_CREATE_ANDX: {
        if (!ok || !p || !c) return;
        const tree = this.tree(cs, p.uid, p.treeId);
        if (!tree) {
          // a pipe opened in a tree whose connect the capture missed
          if (p.name === null || !isRpcPipeName(p.name)) return;
          const r = parseSmb1NtCreateResponse(buf, h, c);
          const s = this.existing(cs, p.uid);
          if (r.ok && !openDetachedPipe(cs, r.fid, p.name, s, s?.sessionId ?? smb1UidString(p.uid), t.opts.maxOpenFilesPerConnection)) {
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
        createSucceeded(t, cs, tree, p.name ?? '', p.openedForWrite, r.createAction, r.fid);
        return;
      }
      case SMB1_READ_ANDX: {
        const pipeFid = p !== null ? p.pipeFileKey : -1;
        if (!c || !(ok || (pipeFid >= 0 && h.ntStatus && h.status === STATUS_BUFFER_OVERFLOW))) return;
        const tree = this.tree(cs, p ? p.uid : h.uid, p ? p.treeId : h.tid);
        if (!tree && pipeFid < 0) return;
        const r = parseSmb1ReadResponse(buf, h, c);
        if (!r.ok) return;
        if (tree) tree.bytesRead += r.dataLength;
        const pipe = pipeFid >= 0 ? pipeOpen(cs, pipeFid) : null;
        if (pipe !== null) feedPipeData(t, cs, pipe, 1, smb1DataView(buf, h, r.dataOffset, r.dataLength), ts(msg), msg.afterGap);
        return;
      }
      case SMB1_TRANSACTION: {
        if (!c || p === null || p.pipeFileKey < 0) return;
        if (!(ok || (h.ntStatus && h.status === STATUS_BUFFER_OVERFLOW))) return;
        const pipe = pipeOpen(cs, p.pipeFileKey);
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
