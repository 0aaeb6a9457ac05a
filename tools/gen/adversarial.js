#!/usr/bin/env node
'use strict';
/**
 * Adversarial captures for robustness tests (issue 10): state exhaustion, length lies, chain
 * cycles and TCP reassembly abuse. Every capture is a valid pcap of well-formed Ethernet/IP/TCP
 * frames (correct checksums); the attack is in what the TCP payload claims. Prints a JSON
 * summary of what it wrote on stdout. Deterministic for a given --seed.
 */
const { PcapWriter, TcpConnection, writeTcpFrame, synOptions, ipBytes, macBytes, TCP_SYN } = require('./pcap-writer');
const { Prng } = require('./prng');
const { Smb2Conversation, newStats } = require('./smb2-conversation');
const m = require('./smb2-messages');
const s1 = require('./smb1-messages');

const SCENARIOS = {
  'syn-flood': { count: 1000000, what: 'COUNT SYN-only flows to port 445 from distinct source IP/port pairs (~78 MB at 1M)' },
  'nbss-16mb': { count: 1, what: 'COUNT sets of 3 flows: NBSS length 0xFFFFFF (16 MB - 1, the 24-bit maximum) with no data; 0x01FFFF (RFC 1002 17-bit maximum) with no data; 0xFFFFFF followed by one SMB2 header then silence' },
  'tree-connects': { count: 100000, what: 'COUNT successful TREE_CONNECTs without TREE_DISCONNECT, spread over --sessions sessions (default 4); sessions stay open (~34 MB at 100k)' },
  'next-command-cycle': { count: 1, what: 'COUNT rounds of SMB2 compounds after a valid session: "back" (2nd header NextCommand points back to the 1st), "negative" (NextCommand 0xFFFFFFC0 = -64), "inside" (NextCommand 8: next header inside this one), "beyond" (NextCommand past the frame)' },
  'andx-cycle': { count: 1, what: 'COUNT SMB1 flows: NEGOTIATE, then SESSION_SETUP_ANDX chained to TREE_CONNECT_ANDX whose AndXOffset points back to the session setup block, and one block whose AndXOffset points to itself' },
  'sessions-never-end': { count: 100000, what: 'COUNT SMB2 sessions (NEGOTIATE, 2-leg NTLMSSP SESSION_SETUP, one TREE_CONNECT), never logged off, TCP never closed; --per-connection K sessions per connection (default 1) (~257 MB at 100k)' },
  'ooo-flood': { count: 100000, what: 'one flow: valid NEGOTIATE, then COUNT 1000-byte client segments 64 MB beyond the next expected sequence number, in shuffled order; the gap is never filled (~107 MB at 100k)' },
  'overlap-lies': { count: 1000, what: 'one SMB2 session with COUNT TREE_CONNECTs whose share name is sent twice in TCP segments with the same sequence range and different bytes: PUBLIC in one copy, ADMIN$ in the other (alternating which comes first); every other time both copies arrive before the hole in front of them is filled (~0.6 MB at 1000)' },
};

const HELP = `usage: node tools/gen/adversarial.js SCENARIO --out FILE [--count N] [--seed N] [options]
scenarios (default COUNT in brackets):
${Object.entries(SCENARIOS)
  .map(([k, v]) => `  ${k.padEnd(20)} [${v.count}] ${v.what}`)
  .join('\n')}
options:
  --out FILE            capture to write (classic pcap, Ethernet)
  --count N             size of the scenario (see above)
  --seed N              PRNG seed (default 1)
  --sessions N          tree-connects: sessions to spread the trees over (default 4)
  --per-connection K    sessions-never-end: sessions per TCP connection (default 1)`;

function parseArgs(argv) {
  const o = { scenario: argv[0], out: null, count: 0, seed: 1, sessions: 4, perConnection: 1 };
  if (!o.scenario || o.scenario === '--help' || o.scenario === '-h') {
    console.log(HELP);
    process.exit(0);
  }
  if (!SCENARIOS[o.scenario]) throw new Error(`unknown scenario ${o.scenario}\n${HELP}`);
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--out': o.out = v(); break;
      case '--count': o.count = parseInt(v(), 10); break;
      case '--seed': o.seed = parseInt(v(), 10) >>> 0; break;
      case '--sessions': o.sessions = Math.max(1, parseInt(v(), 10)); break;
      case '--per-connection': o.perConnection = Math.max(1, parseInt(v(), 10)); break;
      default: throw new Error(`unknown option ${a}\n${HELP}`);
    }
  }
  if (!o.out) throw new Error(`--out is required\n${HELP}`);
  if (!o.count) o.count = SCENARIOS[o.scenario].count;
  return o;
}

const SERVER = { ip: '10.1.0.10', mac: '00:15:5d:01:00:10', port: 445 };
const SERVER_NAME = 'FS01';

/** Client endpoint number i: distinct (ip, port) for i < 2^24 * 512. */
function client(i) {
  const host = Math.floor(i / 512);
  return {
    ip: `10.${64 + ((host >> 16) & 0x3f)}.${(host >> 8) & 0xff}.${(host & 0xff) || 1}`,
    mac: '00:50:56:00:00:01',
    port: 10000 + (i % 512) * 100 + (host & 0xff ? 0 : 50),
  };
}

class Ctx {
  constructor(o) {
    this.o = o;
    this.rng = new Prng(o.seed);
    this.w = new PcapWriter(o.out);
    this.clock = { now: 1709251200e6 };
    this.stats = newStats();
    this.extra = {};
  }

  conversation(i, dialect = 0x0311) {
    return new Smb2Conversation(this.w, this.rng, this.clock, this.stats, {
      client: client(i),
      server: SERVER,
      serverName: SERVER_NAME,
      dialect,
    });
  }

  /** handshake, NEGOTIATE, SESSION_SETUP as user i. */
  session(conv, i) {
    conv.handshake();
    conv.negotiate();
    return conv.sessionSetup(`user${i}`, 'CORP', `WS-${i}`);
  }
}

const run = {
  'syn-flood'(c) {
    const w = c.w;
    const dst = { mac: macBytes(SERVER.mac), ip: ipBytes(SERVER.ip), port: 445 };
    const src = { mac: macBytes('00:50:56:00:00:01'), ip: Buffer.alloc(4), port: 0 };
    const tcp = { seq: 0, ack: 0, flags: TCP_SYN, win: 64240, ipId: 0, ttl: 128, options: synOptions(1460), checksum: true };
    for (let i = 0; i < c.o.count; i++) {
      // 64 ports on each of 2^22 addresses in 100.64.0.0/10: every flow distinct
      const host = Math.floor(i / 64);
      src.ip[0] = 100;
      src.ip[1] = 64 | ((host >> 16) & 0x3f);
      src.ip[2] = (host >> 8) & 0xff;
      src.ip[3] = host & 0xff;
      src.port = 1024 + (i % 64) * 997 % 64000;
      tcp.seq = c.rng.u32();
      tcp.ipId = i & 0xffff;
      writeTcpFrame(w, c.clock.now + i, src, dst, tcp, null);
    }
    c.extra.syns = c.o.count;
  },

  'nbss-16mb'(c) {
    let flow = 0;
    c.extra.flows = [];
    for (let r = 0; r < c.o.count; r++) {
      for (const [len, tail] of [[0xffffff, null], [0x01ffff, null], [0xffffff, 'smb2']]) {
        const t = new TcpConnection(c.w, { client: client(flow++), server: SERVER, isn: [c.rng.u32(), c.rng.u32()] });
        c.clock.now = t.handshake(c.clock.now + 100) + 50;
        const hdr = Buffer.alloc(4);
        hdr.writeUInt32BE(len);
        let msg = hdr;
        if (tail) {
          const smb = Buffer.alloc(64);
          m.writeHeader(smb, 0, m.header({ cmd: m.CMD.NEGOTIATE, messageId: 0, creditCharge: 0 }));
          msg = Buffer.concat([hdr, smb]);
        }
        c.clock.now = t.send(c.clock.now, 0, msg) + 200;
        t.ack(c.clock.now, 1); // the server acknowledges and waits for the rest, forever
        c.extra.flows.push({ nbssLength: len, bytesSent: msg.length - 4 });
      }
    }
  },

  'tree-connects'(c) {
    const shares = ['IPC$', 'C$', 'ADMIN$', 'Public', 'Finance', 'D$'];
    const per = Math.ceil(c.o.count / c.o.sessions);
    let done = 0;
    for (let s = 0; s < c.o.sessions && done < c.o.count; s++) {
      const conv = c.conversation(s);
      c.session(conv, s);
      for (let k = 0; k < per && done < c.o.count; k++, done++) conv.treeConnect(shares[k % shares.length]);
    }
  },

  'next-command-cycle'(c) {
    const conv = c.conversation(0);
    const sid = c.session(conv, 0);
    const tid = conv.treeConnect('IPC$');
    const variants = [];
    const echo = (mid, next) => ({ h: { cmd: 0x0d, messageId: mid, sessionId: sid, treeId: tid, nextCommand: next }, body: Buffer.from([4, 0, 0, 0]) });
    const tc = (mid, next) => ({ h: { cmd: m.CMD.TREE_CONNECT, messageId: mid, sessionId: sid, nextCommand: next }, body: m.treeConnectRequest(`\\\\${SERVER_NAME}\\ADMIN$`) });
    for (let r = 0; r < c.o.count; r++) {
      // "back": header 1 → header 2 (aligned size of 1) → header 1 again
      const first = tc(conv.messageId, undefined);
      const size1 = (64 + first.body.length + 7) & ~7;
      const frames = [
        ['back', m.compound([first, tc(conv.messageId + 1, (0x100000000 - size1) >>> 0)]), [size1, (0x100000000 - size1) >>> 0]],
        ['negative', m.compound([echo(conv.messageId + 2, 0xffffffc0), echo(conv.messageId + 3, 0)]), [0xffffffc0, 0]],
        ['inside', m.compound([tc(conv.messageId + 4, 8), tc(conv.messageId + 5, 0)]), [8, 0]],
        ['beyond', m.compound([echo(conv.messageId + 6, 0x7ffffff8), echo(conv.messageId + 7, 0)]), [0x7ffffff8, 0]],
      ];
      conv.messageId += 8;
      for (const [name, frame, next] of frames) {
        c.clock.now = conv.tcp.send(conv.tick(), 0, frame) + 300;
        conv.tcp.ack(c.clock.now, 1);
        variants.push({ variant: name, nextCommand: next });
      }
    }
    c.extra.variants = variants;
  },

  'andx-cycle'(c) {
    c.extra.flows = [];
    for (let r = 0; r < c.o.count; r++) {
      const t = new TcpConnection(c.w, { client: client(r), server: SERVER, isn: [c.rng.u32(), c.rng.u32()] });
      c.clock.now = t.handshake(c.clock.now + 100) + 50;
      let ts = t.send(c.clock.now, 0, s1.nbss([s1.header({ cmd: s1.SMB1_NEGOTIATE, mid: 1 }), s1.negotiateRequest()]));
      ts = t.send(ts + 300, 1, s1.nbss([
        s1.header({ cmd: s1.SMB1_NEGOTIATE, mid: 1, response: true }),
        s1.negotiateResponse(3, c.rng.bytes(8), 'CORP'),
      ]));
      const lm = c.rng.bytes(24);
      const nt = c.rng.bytes(24);
      // cycle: session setup (at 32) → tree connect (at X) → back to 32
      const ssAt = s1.HDR;
      const ssLen = s1.sessionSetupRequest(ssAt, `user${r}`, 'CORP', lm, nt, 0x75, 0).length;
      const tcAt = ssAt + ssLen;
      const ss = s1.sessionSetupRequest(ssAt, `user${r}`, 'CORP', lm, nt, s1.SMB1_TREE_CONNECT_ANDX, tcAt);
      const tc = s1.treeConnectRequest(tcAt, `\\\\${SERVER_NAME}\\IPC$`, s1.SMB1_SESSION_SETUP_ANDX, ssAt);
      ts = t.send(ts + 50, 0, s1.nbss([s1.header({ cmd: s1.SMB1_SESSION_SETUP_ANDX, mid: 2 }), ss, tc]));
      // self: a session setup whose AndXOffset is its own offset
      const self = s1.sessionSetupRequest(ssAt, `user${r}`, 'CORP', lm, nt, s1.SMB1_SESSION_SETUP_ANDX, ssAt);
      ts = t.send(ts + 50, 0, s1.nbss([s1.header({ cmd: s1.SMB1_SESSION_SETUP_ANDX, mid: 3 }), self]));
      t.ack(ts + 300, 1);
      c.clock.now = ts + 300;
      c.extra.flows.push({ cycle: [ssAt, tcAt], self: ssAt });
    }
  },

  'sessions-never-end'(c) {
    const k = c.o.perConnection;
    let conv = null;
    for (let i = 0; i < c.o.count; i++) {
      if (i % k === 0) {
        conv = c.conversation(i, i % 3 === 0 ? 0x0210 : 0x0311);
        conv.handshake();
        conv.negotiate();
      }
      conv.sessionSetup(`user${i % 5000}`, 'CORP', `WS-${i % 5000}`);
      conv.treeConnect(i % 4 === 0 ? 'C$' : 'IPC$');
    }
  },

  'ooo-flood'(c) {
    const conv = c.conversation(0);
    conv.handshake();
    conv.negotiate();
    const t = conv.tcp;
    const base = t.seq[0];
    const gap = 64 << 20;
    const order = new Uint32Array(c.o.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    for (let i = order.length - 1; i > 0; i--) {
      const j = c.rng.int(0, i);
      const x = order[i];
      order[i] = order[j];
      order[j] = x;
    }
    const data = c.rng.bytes(1000);
    let ts = c.clock.now;
    for (let i = 0; i < order.length; i++) {
      t.seq[0] = (base + gap + order[i] * 1000) >>> 0;
      t.segment(ts++, 0, 0x18, data);
    }
    t.seq[0] = base;
    c.clock.now = ts;
    c.extra.expectedSeq = base;
    c.extra.firstFloodSeq = (base + gap) >>> 0;
  },

  'overlap-lies'(c) {
    const conv = c.conversation(0);
    const sid = c.session(conv, 0);
    const t = conv.tcp;
    const lies = [];
    for (let i = 0; i < c.o.count; i++) {
      const h = conv.req(m.CMD.TREE_CONNECT);
      const pub = m.message(h, m.treeConnectRequest(`\\\\${SERVER_NAME}\\PUBLIC`));
      const adm = m.message(h, m.treeConnectRequest(`\\\\${SERVER_NAME}\\ADMIN$`));
      const [firstCopy, secondCopy, firstName, secondName] = i % 2 === 0 ? [pub, adm, 'PUBLIC', 'ADMIN$'] : [adm, pub, 'ADMIN$', 'PUBLIC'];
      // the share name is the last bytes of the message: [0, k) is common, [k, end) differs
      const k = 4 + m.HDR + 8;
      const seq0 = t.seq[0];
      let ts = conv.tick();
      if (i % 2 === 0) {
        // in order: the first copy completes the PDU, the conflicting copy follows
        t.segment(ts, 0, 0x10, firstCopy, 0, k);
        t.segment(ts + 1, 0, 0x18, firstCopy, k, pub.length);
        t.seq[0] = (seq0 + k) >>> 0;
        t.segment(ts + 200, 0, 0x18, secondCopy, k, pub.length);
      } else {
        // both copies wait behind a hole, which the common prefix fills last
        t.seq[0] = (seq0 + k) >>> 0;
        t.segment(ts, 0, 0x18, firstCopy, k, pub.length);
        t.seq[0] = (seq0 + k) >>> 0;
        t.segment(ts + 200, 0, 0x18, secondCopy, k, pub.length);
        t.seq[0] = seq0;
        t.segment(ts + 400, 0, 0x10, firstCopy, 0, k);
        t.seq[0] = (seq0 + pub.length) >>> 0;
      }
      const tid = 0x100 + i;
      ts = t.send(ts + 500, 1, m.message(h.reply(0, sid, tid), m.treeConnectResponse(1, 0x1f01ff)));
      c.clock.now = ts;
      lies.push({ messageId: h.messageId, first: firstName, second: secondName, behindHole: i % 2 === 1 });
    }
    c.extra.overlaps = lies.length;
    c.extra.firstCopies = { PUBLIC: lies.filter((l) => l.first === 'PUBLIC').length, 'ADMIN$': lies.filter((l) => l.first === 'ADMIN$').length };
  },
};

function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  const t0 = process.hrtime.bigint();
  const c = new Ctx(o);
  run[o.scenario](c);
  c.w.close();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const s = c.stats;
  const summary = {
    scenario: o.scenario, out: o.out, count: o.count, seed: o.seed, bytes: c.w.bytes, packets: c.w.packets,
    seconds: +secs.toFixed(3), connections: s.connections, sessions: s.sessions, treeConnects: s.treeConnectsOk,
    treeDisconnects: s.treeDisconnects, logoffs: s.logoffs, ...c.extra,
  };
  if (summary.variants && summary.variants.length > 8) summary.variants = summary.variants.slice(0, 8);
  if (summary.flows && summary.flows.length > 8) summary.flows = summary.flows.slice(0, 8);
  process.stdout.write(JSON.stringify(summary) + '\n');
}

if (require.main === module) main();

module.exports = { SCENARIOS, parseArgs };
