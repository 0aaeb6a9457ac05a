/**
 * The session/tree model without captures (issue 14): SMB2 conversations built message by
 * message (tools/gen/smb2-messages.js) and fed straight to the Tracker — a LOGOFF whose response
 * never comes, STATUS_PENDING, a related compound, a session across two connections, a gap
 * mid-tree.
 */
import t from 'tap';
import { Tracker } from '../src/tracker/tracker';
import type { Conn, SmbMessage } from '../src/shared/stream';
import type { LifecycleRecord } from '../src/shared/records';
const M = require('../tools/gen/smb2-messages.js');

const SID = 0x1000000000 + 0x45; // a SessionId above 2^32
const TID = 7;

let nextConnId = 1;
function conn(clientPort: number): Conn {
  return { id: nextConnId++, clientIp: '10.1.1.1', clientPort, serverIp: '10.1.1.2', serverPort: 445, startSec: 100, startNsec: 0, dcerpc: false, user: undefined } as Conn;
}

class Harness {
  readonly records: LifecycleRecord[] = [];
  readonly tracker = new Tracker((r) => this.records.push(r));
  private mid = 1;

  start(c: Conn): void {
    this.tracker.onConnStart(c);
  }

  /** deliver one NBSS-framed message (M.message / M.compound output) at second `sec` */
  send(c: Conn, dir: 0 | 1, framed: Buffer, sec: number, afterGap = false): void {
    const data = framed.subarray(4);
    this.tracker.onTime(sec, 0);
    const msg: SmbMessage = { conn: c, dir, tsSec: sec, tsNsec: 0, data, length: data.length, truncated: false, afterGap };
    this.tracker.onSmbMessage(msg);
  }

  /** request + response of one command; `reply` = response body, status, overrides */
  exchange(c: Conn, cmd: number, req: Buffer, res: Buffer | null, sec: number, o: { treeId?: number; status?: number; resSec?: number } = {}): void {
    const h = new M.Header(cmd, this.mid++, 1, 1, o.treeId ?? 0, SID);
    this.send(c, 0, M.message(h, req), sec);
    if (res !== null) this.send(c, 1, M.message(h.reply(o.status ?? 0, SID, o.treeId ?? 0), res), o.resSec ?? sec);
  }

  login(c: Conn, sec: number): void {
    this.exchange(c, M.CMD.SESSION_SETUP, M.sessionSetupRequest(Buffer.alloc(0)), M.sessionSetupResponse(Buffer.alloc(0)), sec);
  }

  connectTree(c: Conn, sec: number, share = '\\\\10.1.1.2\\C$'): void {
    const h = new M.Header(M.CMD.TREE_CONNECT, this.mid++, 1, 1, 0, SID);
    this.send(c, 0, M.message(h, M.treeConnectRequest(share)), sec);
    this.send(c, 1, M.message(h.reply(0, SID, TID), M.treeConnectResponse(1, 0x1f01ff)), sec);
  }

  nextMid(): number {
    return this.mid++;
  }

  kinds(): string[] {
    return this.records.map((r) => r.kind + ('reason' in r ? ':' + r.reason : ''));
  }
}

t.test('a LOGOFF whose response never comes ends the session and its trees by logoff, at the request', async (t) => {
  const h = new Harness();
  const c = conn(50001);
  h.start(c);
  h.login(c, 100);
  h.connectTree(c, 101);
  h.exchange(c, M.CMD.LOGOFF, M.empty4(), null, 102); // no response
  h.tracker.onConnEnd(c, 'rst', 105, 0);
  t.same(h.kinds(), ['session-setup', 'tree-connect', 'tree-disconnect:logoff', 'session-end:logoff']);
  const tree = h.records[2] as Extract<LifecycleRecord, { kind: 'tree-disconnect' }>;
  t.equal(tree.ts.sec, 102, 'the tree ended when the client asked, not at the reset');
  t.equal(tree.durationNs, 1e9);
  t.equal(h.records[3].session.sessionId, '0x0000001000000045', '64-bit SessionId kept whole');
});

t.test('STATUS_PENDING: the interim response keeps the request; the final one decides', async (t) => {
  const h = new Harness();
  const c = conn(50002);
  h.start(c);
  h.login(c, 100);
  const mid = h.nextMid();
  const req = new M.Header(M.CMD.TREE_CONNECT, mid, 1, 1, 0, SID);
  h.send(c, 0, M.message(req, M.treeConnectRequest('\\\\10.1.1.2\\ADMIN$')), 101);
  const interim = M.header({ cmd: M.CMD.TREE_CONNECT, messageId: mid, sessionId: SID, response: true, status: 0x103, flags: 0x2 });
  h.send(c, 1, M.message(interim, M.errorResponse()), 101);
  t.same(h.kinds(), ['session-setup'], 'nothing yet');
  h.send(c, 1, M.message(req.reply(0, SID, TID), M.treeConnectResponse(1, 0x1f01ff)), 103);
  t.same(h.kinds(), ['session-setup', 'tree-connect']);
  const tc = h.records[1] as Extract<LifecycleRecord, { kind: 'tree-connect' }>;
  t.equal(tc.tree.shareName, 'ADMIN$');
  t.equal(tc.ts.sec, 103, 'at the final response');
});

t.test('a related compound (CREATE + WRITE + CLOSE) counts its activity and names the file', async (t) => {
  const h = new Harness();
  const c = conn(50003);
  h.start(c);
  h.login(c, 100);
  h.connectTree(c, 101);
  const related = 0x4;
  const m0 = h.nextMid();
  const fileId = Buffer.alloc(16, 0xff); // related operations name the CREATE's handle this way
  const payload = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62)]);
  const req = M.compound([
    { h: { cmd: M.CMD.CREATE, messageId: m0, sessionId: SID, treeId: TID }, body: M.createRequest('tool.exe', { desiredAccess: 0x40000000, disposition: 5, options: 0 }) },
    { h: { cmd: M.CMD.WRITE, messageId: m0 + 1, sessionId: SID, treeId: TID, flags: related }, body: M.writeRequest(fileId, 0, payload) },
    { h: { cmd: M.CMD.CLOSE, messageId: m0 + 2, sessionId: SID, treeId: TID, flags: related }, body: M.closeRequest(fileId) },
  ]);
  h.nextMid();
  h.nextMid();
  h.send(c, 0, req, 102);
  const realId = Buffer.alloc(16, 0x11);
  const res = M.compound([
    { h: { cmd: M.CMD.CREATE, messageId: m0, sessionId: SID, treeId: TID, response: true }, body: M.createResponse(realId, Buffer.alloc(8), 0, 2, 0x20) },
    { h: { cmd: M.CMD.WRITE, messageId: m0 + 1, sessionId: SID, treeId: TID, response: true, flags: related }, body: M.writeResponse(64) },
    { h: { cmd: M.CMD.CLOSE, messageId: m0 + 2, sessionId: SID, treeId: TID, response: true, flags: related }, body: M.closeResponse() },
  ]);
  h.send(c, 1, res, 102);
  h.exchange(c, M.CMD.TREE_DISCONNECT, M.empty4(), M.empty4(), 103, { treeId: TID });
  const end = h.records.find((r) => r.kind === 'tree-disconnect') as Extract<LifecycleRecord, { kind: 'tree-disconnect' }>;
  t.equal(end.reason, 'tree_disconnect');
  t.same(end.files, ['tool.exe']);
  t.equal(end.activity.creates, 1);
  t.equal(end.activity.writes, 1);
  t.equal(end.activity.bytesWritten, 64);
  t.equal(end.wroteExecutable, true, 'MZ in the related WRITE');
});

t.test('a session across two connections lives until its last connection ends', async (t) => {
  const h = new Harness();
  const a = conn(50004);
  const b = conn(50005);
  h.start(a);
  h.start(b);
  h.login(a, 100);
  h.connectTree(b, 101); // the second channel uses the same SessionId
  h.tracker.onConnEnd(a, 'fin', 102, 0);
  t.same(h.kinds(), ['session-setup', 'tree-connect'], 'the first connection closing ends nothing');
  h.tracker.onConnEnd(b, 'fin', 104, 0);
  t.same(h.kinds(), ['session-setup', 'tree-connect', 'tree-disconnect:connection_close', 'session-end:connection_close']);
  t.equal(h.records[3].ts.sec, 104);
});

t.test('a gap mid-tree: the tree and session events say their figures may be partial', async (t) => {
  const h = new Harness();
  const c = conn(50006);
  h.start(c);
  h.login(c, 100);
  h.connectTree(c, 101);
  h.tracker.onGap(c, 0, 1460, 102, 0);
  h.exchange(c, M.CMD.TREE_DISCONNECT, M.empty4(), M.empty4(), 103, { treeId: TID });
  h.connectTree(c, 104, '\\\\10.1.1.2\\public');
  h.exchange(c, M.CMD.TREE_DISCONNECT, M.empty4(), M.empty4(), 105, { treeId: TID });
  h.tracker.onConnEnd(c, 'fin', 106, 0);
  const trees = h.records.filter((r) => r.kind === 'tree-disconnect') as Extract<LifecycleRecord, { kind: 'tree-disconnect' }>[];
  t.same(trees.map((x) => [x.tree.shareName, x.gap]), [['C$', true], ['public', false]], 'only the tree open during the gap');
  const s = h.records.find((r) => r.kind === 'session-end') as Extract<LifecycleRecord, { kind: 'session-end' }>;
  t.equal(s.gap, true);
});
