/**
 * The tracker's lower layer (issue 14): typed transactions per connection. The table on its own
 * (memcap, id collisions, pooling, post-gap housekeeping), then through the Tracker with SMB2
 * messages built by tools/gen/smb2-messages.js: a response lost in a gap, a MessageId and a
 * FileId that fold like another one's.
 */
import t from 'tap';
import { Tracker } from '../src/tracker/tracker';
import { TransactionTable, TxPool, type TxCounters } from '../src/tracker/transactions';
import { idKey, idKeyHi } from '../src/tracker/ids';
import type { Conn, SmbMessage } from '../src/shared/stream';
import type { LifecycleRecord } from '../src/shared/records';
const M = require('../tools/gen/smb2-messages.js');

function counters(): TxCounters {
  return { pendingEvicted: 0, txIdCollisions: 0, txClosedAfterGap: 0 };
}

t.test('table: typed records, the oldest evicted at the memcap and counted', async (t) => {
  const c = counters();
  const table = new TransactionTable(new TxPool(), 3, c);
  const a = table.begin('tree-connect', 1, 0, 10, 0);
  a.path = '\\\\srv\\C$';
  table.begin('create', 2, 0, 11, 0).name = 'a.txt';
  table.begin('read', 3, 0, 12, 0);
  table.begin('logoff', 4, 0, 13, 0);
  t.equal(c.pendingEvicted, 1);
  t.equal(table.size, 3);
  t.equal(table.finish(1, 0), null, 'the oldest went');
  const create = table.finish(2, 0);
  t.equal(create?.kind, 'create');
  t.equal(create?.kind === 'create' ? create.name : null, 'a.txt');
});

t.test('table: a MessageId folding like a waiting one is a counted collision, not a match', async (t) => {
  const c = counters();
  const table = new TransactionTable(new TxPool(), 16, c);
  // 0x00200000_00000005 and 0x00000000_00000005 share their low 53 bits
  const hiA = 0x00200000;
  table.begin('tree-connect', idKey(hiA, 5), idKeyHi(hiA), 1, 0).path = '\\\\srv\\ADMIN$';
  t.equal(idKey(0, 5), idKey(hiA, 5), 'the two ids fold alike');
  t.equal(table.peek(idKey(0, 5), idKeyHi(0)), null, 'peek does not match');
  t.equal(table.finish(idKey(0, 5), idKeyHi(0)), null, 'finish does not match');
  t.equal(c.txIdCollisions, 1);
  const tx = table.finish(idKey(hiA, 5), idKeyHi(hiA));
  t.equal(tx?.kind === 'tree-connect' ? tx.path : null, '\\\\srv\\ADMIN$', 'the real id still matches');
});

t.test('table: pooled records come back empty', async (t) => {
  const pool = new TxPool();
  const table = new TransactionTable(pool, 16, counters());
  const a = table.begin('create', 1, 0, 1, 0);
  a.name = 'secret.exe';
  a.forWrite = true;
  a.sessionHi = 9;
  table.done(table.finish(1, 0)!);
  const b = table.begin('create', 2, 0, 2, 0);
  t.equal(b, a, 'the same object, reused');
  t.equal(b.name, null);
  t.equal(b.forWrite, false);
  t.equal(b.sessionHi, 0);
  const chain = table.begin('andx', 3, 0, 3, 0);
  chain.uid = 0x800;
  const part = table.part(chain, 'tree-connect');
  part.path = '\\\\srv\\IPC$';
  chain.parts.push(part);
  chain.commands.push(0x75);
  t.equal(chain.part(0x75, 'tree-connect'), part);
  t.equal(chain.part(0x75, 'create'), null, 'asked for the wrong kind: none');
  t.equal(part.uid, 0x800, 'a chained record carries its request header');
  table.done(table.finish(3, 0)!);
  const again = table.begin('tree-connect', 4, 0, 4, 0);
  t.equal(again, part, 'chained records go back to the pool with their chain');
  t.equal(again.path, null);
});

t.test('table: post-gap housekeeping closes only what waited before the hole', async (t) => {
  const c = counters();
  const table = new TransactionTable(new TxPool(), 16, c);
  table.begin('read', 1, 0, 1, 0);
  table.begin('read', 2, 0, 1, 0);
  table.begin('tree-connect', 3, 0, 1, 0);
  table.responsesLost();
  // the first response past the hole answers 2; a new request 4 arrives meanwhile
  table.done(table.finish(2, 0)!);
  table.begin('create', 4, 0, 2, 0);
  t.equal(table.closeLostAfterGap(), 2, 'requests 1 and 3 will never be answered');
  t.equal(c.txClosedAfterGap, 2);
  t.equal(table.finish(1, 0), null);
  t.equal(table.finish(3, 0), null);
  t.equal(table.finish(4, 0)?.kind, 'create', 'the request made after the hole waits on');
  t.equal(table.closeLostAfterGap(), 0, 'once per gap');
});

// ---- through the Tracker -------------------------------------------------------------------

const SID = 0x45;
let nextConnId = 1;
function conn(): Conn {
  return { id: nextConnId++, clientIp: '10.9.9.1', clientPort: 50000 + nextConnId, serverIp: '10.9.9.2', serverPort: 445, startSec: 100, startNsec: 0, dcerpc: false, user: undefined } as Conn;
}

function harness() {
  const records: LifecycleRecord[] = [];
  const tracker = new Tracker((r) => records.push(r));
  const send = (c: Conn, dir: 0 | 1, framed: Buffer, sec: number, afterGap = false) => {
    const data = framed.subarray(4);
    tracker.onTime(sec, 0);
    const msg: SmbMessage = { conn: c, dir, tsSec: sec, tsNsec: 0, data, length: data.length, truncated: false, afterGap };
    tracker.onSmbMessage(msg);
  };
  return { records, tracker, send };
}

/** an SMB2 message whose 64-bit MessageId is hi:lo (beyond what a JS number holds exactly) */
function withMessageId(framed: Buffer, hi: number, lo: number): Buffer {
  framed.writeUInt32LE(lo, 4 + 24);
  framed.writeUInt32LE(hi, 4 + 28);
  return framed;
}

/** a new connection with a session set up (MessageId 1) */
function loggedIn(h: ReturnType<typeof harness>): Conn {
  const c = conn();
  h.tracker.onConnStart(c);
  login(h, c, 1);
  return c;
}

function login(h: ReturnType<typeof harness>, c: Conn, mid: number): void {
  const s = new M.Header(M.CMD.SESSION_SETUP, mid, 1, 1, 0, SID);
  h.send(c, 0, M.message(s, M.sessionSetupRequest(Buffer.alloc(0))), 100);
  h.send(c, 1, M.message(s.reply(0, SID, 0), M.sessionSetupResponse(Buffer.alloc(0))), 100);
}

function treeConnects(records: LifecycleRecord[]) {
  return records.filter((r) => r.kind === 'tree-connect') as Extract<LifecycleRecord, { kind: 'tree-connect' }>[];
}

t.test('tracker: a TREE_CONNECT answered in a gap is closed after it; a late answer names no share', async (t) => {
  const h = harness();
  const c = loggedIn(h);
  const lost = new M.Header(M.CMD.TREE_CONNECT, 2, 1, 1, 0, SID);
  h.send(c, 0, M.message(lost, M.treeConnectRequest('\\\\10.9.9.2\\C$')), 101);
  const kept = new M.Header(M.CMD.TREE_CONNECT, 3, 1, 1, 0, SID);
  h.send(c, 0, M.message(kept, M.treeConnectRequest('\\\\10.9.9.2\\public')), 101);
  h.tracker.onGap(c, 1, 300, 102, 0); // server → client bytes lost: the answer to 2
  h.send(c, 1, M.message(kept.reply(0, SID, 8), M.treeConnectResponse(1, 0x1f01ff)), 102, true);
  t.equal(h.tracker.counters.txClosedAfterGap, 1, 'request 2 closed, counted');
  t.same(treeConnects(h.records).map((r) => r.tree.shareName), ['public']);
  // a retransmitted answer to 2 after all: a tree, but not claimed to be C$
  h.send(c, 1, M.message(lost.reply(0, SID, 7), M.treeConnectResponse(1, 0x1f01ff)), 103);
  const trees = treeConnects(h.records);
  t.same(trees.map((r) => [r.tree.treeId, r.tree.shareClass]), [['0x00000008', 'normal'], ['0x00000007', 'unknown']]);
  t.equal(h.tracker.counters.responsesWithoutRequest, 1);
});

t.test('tracker: a gap in the requests closes nothing', async (t) => {
  const h = harness();
  const c = loggedIn(h);
  const req = new M.Header(M.CMD.TREE_CONNECT, 2, 1, 1, 0, SID);
  h.send(c, 0, M.message(req, M.treeConnectRequest('\\\\10.9.9.2\\ADMIN$')), 101);
  h.tracker.onGap(c, 0, 100, 101, 0);
  h.send(c, 0, M.message(new M.Header(M.CMD.TREE_CONNECT, 3, 1, 1, 0, SID), M.treeConnectRequest('\\\\10.9.9.2\\x')), 101, true);
  h.send(c, 1, M.message(req.reply(0, SID, 7), M.treeConnectResponse(1, 0x1f01ff)), 102);
  t.equal(h.tracker.counters.txClosedAfterGap, 0);
  t.same(treeConnects(h.records).map((r) => r.tree.shareName), ['ADMIN$']);
});

t.test('tracker: a response whose MessageId only folds like a request\'s does not take its share', async (t) => {
  const h = harness();
  const c = loggedIn(h);
  const req = withMessageId(M.message(new M.Header(M.CMD.TREE_CONNECT, 0, 1, 1, 0, SID), M.treeConnectRequest('\\\\10.9.9.2\\C$')), 0x00200000, 9);
  h.send(c, 0, req, 101);
  const other = new M.Header(M.CMD.TREE_CONNECT, 9, 1, 1, 0, SID); // MessageId 0:9
  h.send(c, 1, M.message(other.reply(0, SID, 7), M.treeConnectResponse(1, 0x1f01ff)), 102);
  t.equal(h.tracker.counters.txIdCollisions, 1);
  t.same(treeConnects(h.records).map((r) => r.tree.shareClass), ['unknown'], 'not C$');
  const answer = withMessageId(M.message(new M.Header(M.CMD.TREE_CONNECT, 0, 1, 1, 0, SID).reply(0, SID, 8), M.treeConnectResponse(1, 0x1f01ff)), 0x00200000, 9);
  h.send(c, 1, answer, 103);
  t.same(treeConnects(h.records).map((r) => r.tree.shareName), ['', 'C$'], 'the real answer still finds it');
});

t.test('tracker: a WRITE to a FileId that only folds like an open file\'s is not that file\'s', async (t) => {
  const h = harness();
  const c = loggedIn(h);
  const tc = new M.Header(M.CMD.TREE_CONNECT, 2, 1, 1, 0, SID);
  h.send(c, 0, M.message(tc, M.treeConnectRequest('\\\\10.9.9.2\\C$')), 101);
  h.send(c, 1, M.message(tc.reply(0, SID, 7), M.treeConnectResponse(1, 0x1f01ff)), 101);
  const realId = Buffer.alloc(16);
  realId.writeUInt32LE(5, 8); // volatile low half
  realId.writeUInt32LE(0x00200000, 12); // volatile high half: beyond the folded key
  const cr = new M.Header(M.CMD.CREATE, 3, 1, 1, 7, SID);
  h.send(c, 0, M.message(cr, M.createRequest('notes.txt', { desiredAccess: 0x40000000, disposition: 1, options: 0 })), 102);
  h.send(c, 1, M.message(cr.reply(0, SID, 7), M.createResponse(realId, Buffer.alloc(8), 0, 1, 0x20)), 102);
  const alias = Buffer.from(realId);
  alias.writeUInt32LE(0, 12); // folds like realId
  const w = new M.Header(M.CMD.WRITE, 4, 1, 1, 7, SID);
  h.send(c, 0, M.message(w, M.writeRequest(alias, 0, Buffer.from('hello'))), 103);
  t.equal(h.tracker.counters.fileIdCollisions, 1);
  const w2 = new M.Header(M.CMD.WRITE, 5, 1, 1, 7, SID);
  h.send(c, 0, M.message(w2, M.writeRequest(realId, 0, Buffer.from('hello'))), 104);
  t.equal(h.tracker.counters.fileIdCollisions, 1, 'the real handle is found');
  h.tracker.onConnEnd(c, 'fin', 105, 0);
  const td = h.records.find((r) => r.kind === 'tree-disconnect') as Extract<LifecycleRecord, { kind: 'tree-disconnect' }>;
  t.same(td.files, ['notes.txt']);
  t.equal(td.activity.writes, 2);
});
