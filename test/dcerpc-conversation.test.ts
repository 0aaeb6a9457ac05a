/**
 * The tracker's DCE/RPC conversation under hostile streams: unbounded fragment series, lying
 * frag lengths, call-id floods, thousands of alter_contexts, handles without end. Every cap holds,
 * its counter says it bit, and calls still come out (with what is known).
 */
import t from 'tap';
import { RpcConversation, type RpcHost, type RpcOwner } from '../src/tracker/dcerpc/conversation';
import { DEFAULT_RPC_LIMITS, RpcCounters, type RpcLimits } from '../src/tracker/dcerpc/limits';
import type { DcerpcCallRecord, SessionView } from '../src/shared/records';

const SVCCTL = '367abb81-9844-35f1-ad32-98f038001003';

function uuidBytes(u: string): Buffer {
  const h = u.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  // first three fields little-endian (NDR)
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

function header(ptype: number, flags: number, body: Buffer, callId: number): Buffer {
  const h = Buffer.alloc(16);
  h[0] = 5;
  h[2] = ptype;
  h[3] = flags;
  h[4] = 0x10; // little-endian
  h.writeUInt16LE(16 + body.length, 8);
  h.writeUInt32LE(callId, 12);
  return Buffer.concat([h, body]);
}

function bind(ctxIds: number[], uuid = SVCCTL, ptype = 11): Buffer {
  const parts = [Buffer.alloc(12)];
  parts[0].writeUInt16LE(4280, 0);
  parts[0].writeUInt16LE(4280, 2);
  parts[0][8] = ctxIds.length;
  for (const id of ctxIds) {
    const c = Buffer.alloc(4);
    c.writeUInt16LE(id, 0);
    c[2] = 1;
    const abs = Buffer.concat([uuidBytes(uuid), Buffer.from([2, 0, 0, 0])]);
    const ndr = Buffer.concat([uuidBytes('8a885d04-1ceb-11c9-9fe8-08002b104860'), Buffer.from([2, 0, 0, 0])]);
    parts.push(c, abs, ndr);
  }
  return header(ptype, 3, Buffer.concat(parts), 1);
}

function request(callId: number, opnum: number, stub: Buffer, flags = 3, ctx = 0, allocHint = stub.length): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(allocHint >>> 0, 0);
  b.writeUInt16LE(ctx, 4);
  b.writeUInt16LE(opnum, 6);
  return header(0, flags, Buffer.concat([b, stub]), callId);
}

function response(callId: number, stub: Buffer, flags = 3): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(stub.length, 0);
  return header(2, flags, Buffer.concat([b, stub]), callId);
}

const VIEW: SessionView = {
  sessionId: null, version: null, user: null, domain: null, workstation: null, auth: null,
  kerberosRealm: null, kerberosService: null, pipes: [],
};

function setup(limits: Partial<RpcLimits> = {}) {
  const calls: DcerpcCallRecord[] = [];
  const host: RpcHost = {
    rpcCounters: new RpcCounters(),
    rpcLimits: { ...DEFAULT_RPC_LIMITS, ...limits },
    emitCall: (r) => calls.push(r),
    dcerpcEndpoint: () => {},
  };
  const owner: RpcOwner = {
    flow: { clientIp: '10.0.0.1', clientPort: 50000, serverIp: '10.0.0.2', serverPort: 445 },
    session: () => VIEW,
    transport: 'smb',
    pipe: 'svcctl',
    treeId: '0x00000001',
  };
  const conv = new RpcConversation(host, owner);
  return { conv, calls, counters: host.rpcCounters };
}

const TS = { sec: 1700000000, nsec: 0 };

t.test('a plain call: bind, request, response → one named call', async (t) => {
  const { conv, calls } = setup();
  conv.feedPipe(0, bind([0]), TS, false);
  conv.feedPipe(0, request(2, 0, Buffer.alloc(20)), TS, false);
  // RCloseServiceHandle answers the zeroed handle (20 bytes) and a status
  conv.feedPipe(1, response(2, Buffer.alloc(24)), { sec: TS.sec, nsec: 5000 }, false);
  t.equal(calls.length, 1);
  t.equal(calls[0].interfaceName, 'svcctl');
  t.equal(calls[0].operation, 'RCloseServiceHandle');
  t.equal(calls[0].returnCode, 'ERROR_SUCCESS');
  t.equal(calls[0].outcome, 'success');
  t.equal(calls[0].durationNs, 5000);
});

t.test('a PDU split across pipe messages is joined; several PDUs in one message are split', async (t) => {
  const { conv, calls } = setup();
  const b = bind([0]);
  conv.feedPipe(0, b.subarray(0, 7), TS, false);
  conv.feedPipe(0, Buffer.concat([b.subarray(7), request(2, 15, Buffer.alloc(8)), request(3, 15, Buffer.alloc(8))]), TS, false);
  const denied = Buffer.alloc(24);
  denied.writeUInt32LE(5, 20); // ERROR_ACCESS_DENIED after the (empty) handle
  conv.feedPipe(1, Buffer.concat([response(2, Buffer.alloc(24)), response(3, denied)]), TS, false);
  t.same(calls.map((c) => [c.operation, c.returnCode]), [['ROpenSCManagerW', 'ERROR_SUCCESS'], ['ROpenSCManagerW', 'ERROR_ACCESS_DENIED']]);
});

t.test('an endless fragment series is cut at the stub memcap, counted, and the call still ends', async (t) => {
  const { conv, calls, counters } = setup({ maxStubBytes: 64 * 1024 });
  conv.feedPipe(0, bind([0]), TS, false);
  const frag = Buffer.alloc(4000);
  conv.feedPipe(0, request(7, 12, frag, 1, 0, 0xffffffff), TS, false); // first, alloc hint 4 GiB
  for (let i = 0; i < 1000; i++) conv.feedPipe(0, request(7, 12, frag, 0), TS, false); // middle fragments
  conv.feedPipe(0, request(7, 12, frag, 2), TS, false); // last
  conv.feedPipe(1, response(7, Buffer.alloc(4)), TS, false);
  t.equal(counters.memcapHits, 1, 'the stub cap bit once');
  t.equal(calls.length, 1, 'the call is emitted');
  t.equal(calls[0].operation, 'RCreateServiceW');
  t.same(calls[0].args, {}, 'no arguments from a cut stub');
});

t.test('a frag length that lies (longer than what follows) is held, bounded, never read past', async (t) => {
  const { conv, calls, counters } = setup({ maxPduBytes: 4096 });
  conv.feedPipe(0, bind([0]), TS, false);
  const lying = request(2, 0, Buffer.alloc(8));
  lying.writeUInt16LE(60000, 8);
  conv.feedPipe(0, lying, TS, false);
  for (let i = 0; i < 100; i++) conv.feedPipe(0, Buffer.alloc(1000, 0x41), TS, false);
  t.ok(counters.memcapHits >= 1, 'the partial-PDU cap bit');
  conv.end(TS);
  t.equal(calls.length, 0, 'nothing invented');
});

t.test('garbage on a pipe is counted, not decoded', async (t) => {
  const { conv, calls, counters } = setup();
  conv.feedPipe(0, Buffer.from('GET / HTTP/1.1\r\n\r\n'), TS, false);
  t.equal(calls.length, 0);
  t.ok([...counters.errors.keys()].some((k) => k.startsWith('dcerpc:')), 'counted by reason');
});

t.test('10k alter_contexts and a call-id flood stay bounded', async (t) => {
  const { conv, calls, counters } = setup({ maxContexts: 64, maxPendingCalls: 32 });
  for (let i = 0; i < 10000; i++) conv.feedPipe(0, bind([i & 0xffff], SVCCTL, 14), TS, false);
  t.ok(counters.memcapHits >= 10000 - 64, 'contexts past the cap are counted');
  for (let i = 0; i < 5000; i++) conv.feedPipe(0, request(i + 10, 0, Buffer.alloc(20)), TS, false);
  t.equal(counters.callsEvicted, 5000 - 32, 'unanswered calls past the cap are evicted');
  t.equal(calls.length, 5000 - 32, 'and still emitted, outcome unknown');
  t.ok(calls.every((c) => c.outcome === 'unknown' && c.durationNs === null));
  conv.end(TS);
  t.equal(calls.length, 5000, 'the rest end with the pipe');
});

t.test('a gap marks open calls partial; responses without a request are counted', async (t) => {
  const { conv, calls, counters } = setup();
  conv.feedPipe(0, bind([0]), TS, false);
  conv.feedPipe(0, request(2, 0, Buffer.alloc(20)), TS, false);
  conv.noteGap();
  conv.feedPipe(1, response(2, Buffer.alloc(4)), TS, false);
  conv.feedPipe(1, response(99, Buffer.alloc(4)), TS, false);
  t.equal(calls.length, 1);
  t.equal(calls[0].gap, true);
  t.equal(counters.responsesWithoutRequest, 1);
});
