#!/usr/bin/env node
'use strict';
/**
 * Seeded generator of valid SMB2 traffic for benchmarks and state tests. Each connection:
 * TCP handshake, NEGOTIATE (3.1.1 or 2.1), two-leg SPNEGO/NTLMSSP SESSION_SETUP, tree connects
 * (IPC$, C$, ADMIN$, ordinary shares) with DCE/RPC binds on pipes and CREATE/READ/WRITE/CLOSE on
 * files, TREE_DISCONNECT, LOGOFF, FIN (or RST). Many connections are interleaved. Same seed and
 * options → byte-identical capture. Prints a JSON summary of what it wrote on stdout.
 */
const { PcapWriter } = require('./pcap-writer');
const { Prng } = require('./prng');
const { Smb2Conversation, newStats } = require('./smb2-conversation');
const { STATUS } = require('./smb2-messages');
const dcerpc = require('./dcerpc');

const HELP = `usage: node tools/gen/synth-smb2.js --out FILE [options]
  --out FILE              capture to write (classic pcap, Ethernet)
  --seed N                PRNG seed (default 1); same seed + options = same bytes
  --size N[K|M|G]         stop starting connections once the file reaches N bytes (default 64M)
  --sessions N            write exactly N sessions (one per connection) instead of --size
  --concurrency N         connections interleaved at any time (default 64)
  --payload small|mixed   small: reads/writes of 16..1024 bytes (default); mixed: 20% of 4..64 KB
  --trees-per-session N   tree connects per session (default: 1..4 at random)
  --no-disconnect         never send TREE_DISCONNECT (trees stay open)
  --hold                  sessions never end: no LOGOFF and no FIN/RST
  --no-failures           no refused tree connects, failed creates or logon failures
  --ipv6 F                fraction of connections over IPv6 (default 0.05)
  --nanos                 nanosecond pcap magic
  --quiet                 no summary on stdout`;

function parseSize(s) {
  const mt = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(String(s));
  if (!mt) throw new Error(`bad size: ${s}`);
  const mul = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[mt[2].toLowerCase()];
  return Math.floor(parseFloat(mt[1]) * mul);
}

function parseArgs(argv) {
  const o = {
    out: null, seed: 1, size: 64 << 20, sessions: 0, concurrency: 64, payload: 'small', treesPerSession: 0,
    noDisconnect: false, hold: false, failures: true, ipv6: 0.05, nanos: false, quiet: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--out': o.out = v(); break;
      case '--seed': o.seed = parseInt(v(), 10) >>> 0; break;
      case '--size': o.size = parseSize(v()); break;
      case '--sessions': o.sessions = parseInt(v(), 10); break;
      case '--concurrency': o.concurrency = Math.max(1, parseInt(v(), 10)); break;
      case '--payload': o.payload = v(); if (!/^(small|mixed)$/.test(o.payload)) throw new Error('--payload small|mixed'); break;
      case '--trees-per-session': o.treesPerSession = parseInt(v(), 10); break;
      case '--no-disconnect': o.noDisconnect = true; break;
      case '--hold': o.hold = true; break;
      case '--no-failures': o.failures = false; break;
      case '--ipv6': o.ipv6 = parseFloat(v()); break;
      case '--nanos': o.nanos = true; break;
      case '--quiet': o.quiet = true; break;
      case '-h': case '--help': console.log(HELP); process.exit(0); break;
      default: throw new Error(`unknown option ${a}\n${HELP}`);
    }
  }
  if (!o.out) throw new Error(`--out is required\n${HELP}`);
  return o;
}

const SERVERS = ['FS01', 'FS02', 'DC01', 'APP01', 'FILESRV', 'NAS-BACKUP'];
const USERS = [
  'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory',
  'oscar', 'peggy', 'trent', 'victor', 'walter', 'j.smith', 'm.jones', 'a.nguyen', 'k.müller',
  'svc_backup', 'svc_sql', 'Administrator', 'helpdesk01', 'scanner',
];
const DOMAINS = ['CORP', 'CORP', 'CORP', 'CORP', 'LAB', 'WORKGROUP'];
const ORDINARY = ['Public', 'Finance', 'Projects', 'Users', 'Software', 'Scans', 'HR', 'Marketing', 'Profiles$', 'NETLOGON', 'SYSVOL'];
const DOCS = ['Q3-report.xlsx', 'minutes.docx', 'notes.txt', 'budget 2024.xlsx', 'photo.jpg', 'contract.pdf', 'readme.md', 'data.csv'];
const DIRS = ['', 'Reports\\', 'Archive\\2023\\', 'Team\\Shared\\', 'Ünïcödé\\'];
const PIPES = Object.keys(dcerpc.PIPES);

// DesiredAccess masks (MS-SMB2 2.2.13.1)
const ACCESS_READ = 0x00120089;
const ACCESS_WRITE = 0x0012019f;
const ACCESS_GENERIC_WRITE = 0x40100080;
const ACCESS_PIPE = 0x0012019f;

/** A realistic PE prologue: DOS header, stub message, PE signature. */
function mzTemplate() {
  const b = Buffer.alloc(1024);
  b.write('MZ', 0, 'latin1');
  b.writeUInt16LE(0x90, 2);
  b.writeUInt16LE(3, 4);
  b.writeUInt16LE(4, 8);
  b.writeUInt16LE(0xffff, 12);
  b.writeUInt16LE(0xb8, 16);
  b.writeUInt16LE(0x40, 24);
  b.writeUInt32LE(0x80, 60);
  Buffer.from('0e1fba0e00b409cd21b8014ccd21', 'hex').copy(b, 64);
  b.write('This program cannot be run in DOS mode.\r\r\n$', 78, 'latin1');
  b.write('PE\0\0', 0x80, 'latin1');
  b.writeUInt16LE(0x8664, 0x84);
  return b;
}

class Generator {
  constructor(o) {
    this.o = o;
    this.rng = new Prng(o.seed);
    this.w = new PcapWriter(o.out, { nanos: o.nanos });
    this.stats = newStats();
    this.clock = { now: 1709251200e6 + this.rng.int(0, 86400) * 1e6 };
    // data comes from a seeded pool: cheap, deterministic, incompressible
    this.pool = this.rng.bytes(4 << 20);
    this.mz = mzTemplate();
    this.mzBuf = Buffer.alloc(70000);
    this.clientPorts = new Map();
    this.servers = SERVERS.map((name, i) => ({
      name,
      v4: `10.1.0.${10 + i}`,
      v6: `fd00:10:1::${(10 + i).toString(16)}`,
      mac: `00:15:5d:01:00:${(0x10 + i).toString(16)}`,
    }));
  }

  /** A data slice of the pool: returns [buffer, start]. */
  data(len) {
    return [this.pool, this.rng.int(0, this.pool.length - len - 1)];
  }

  ioLength() {
    const r = this.rng;
    if (this.o.payload === 'mixed' && r.chance(0.2)) return r.int(4096, 65536);
    return r.int(16, 1024);
  }

  newConversation() {
    const r = this.rng;
    const srv = r.pick(this.servers);
    const ci = r.int(1, 2000);
    const port = 49152 + ((this.clientPorts.get(ci) ?? r.int(0, 1000)) % 16000);
    this.clientPorts.set(ci, port - 49152 + 1);
    const v6 = r.chance(this.o.ipv6);
    const client = {
      ip: v6 ? `fd00:10:2::${ci.toString(16)}` : `10.2.${ci >> 8}.${ci & 0xff}`,
      mac: `00:50:56:${((ci >> 16) & 0xff).toString(16)}:${((ci >> 8) & 0xff).toString(16)}:${(ci & 0xff).toString(16)}`,
      port,
    };
    const conv = new Smb2Conversation(this.w, r, this.clock, this.stats, {
      client,
      server: { ip: v6 ? srv.v6 : srv.v4, mac: srv.mac, port: 445 },
      serverName: srv.name,
      dialect: r.chance(0.7) ? 0x0311 : 0x0210,
      mss: v6 ? 1440 : 1460,
    });
    return { conv, ci, it: this.script(conv, ci) };
  }

  /** One connection, one exchange per step. */
  *script(c, ci) {
    const r = this.rng;
    const o = this.o;
    c.handshake();
    yield;
    c.negotiate();
    yield;
    const user = r.pick(USERS);
    const domain = r.pick(DOMAINS);
    const ws = `WS-${String(ci).padStart(4, '0')}`;
    if (o.failures && r.chance(0.02)) {
      c.sessionSetup(user, domain, ws, true);
      yield;
      if (!o.hold) c.end();
      return;
    }
    c.sessionSetup(user, domain, ws);
    yield;
    const trees = o.treesPerSession || r.int(1, 4);
    for (let t = 0; t < trees; t++) {
      const share = this.pickShare(t);
      const admin = /^(C|ADMIN)\$$/.test(share);
      const refuse = !o.failures ? 0 : r.chance(admin ? 0.05 : 0.02) ? (admin ? STATUS.ACCESS_DENIED : STATUS.BAD_NETWORK_NAME) : 0;
      const tid = c.treeConnect(share, refuse);
      yield;
      if (!tid) continue;
      if (share === 'IPC$') yield* this.pipeWork(c, tid);
      else yield* this.fileWork(c, tid, share);
      if (!o.noDisconnect) {
        c.treeDisconnect(tid);
        yield;
      }
    }
    if (o.hold) return;
    c.logoff();
    yield;
    c.end(r.chance(0.05));
  }

  pickShare(t) {
    const r = this.rng;
    const x = r.float();
    if (t === 0 && x < 0.4) return 'IPC$';
    if (x < 0.25) return 'IPC$';
    if (x < 0.35) return 'C$';
    if (x < 0.45) return 'ADMIN$';
    return r.pick(ORDINARY);
  }

  /** Open a named pipe, bind, read the bind_ack, close. */
  *pipeWork(c, tid) {
    const r = this.rng;
    const n = r.int(1, 2);
    for (let i = 0; i < n; i++) {
      const pipe = r.pick(PIPES);
      const fid = c.create(tid, pipe, { desiredAccess: ACCESS_PIPE, disposition: 1, options: 0, attributes: 0, size: 0 });
      yield;
      if (!fid) continue;
      const bind = dcerpc.bind(pipe, 2);
      c.write(tid, fid, 0, bind, 0, bind.length);
      yield;
      const ack = dcerpc.bindAck(pipe, 2, r.u32() & 0xffff);
      c.read(tid, fid, 0, ack, 0, ack.length);
      yield;
      c.close(tid, fid);
      yield;
    }
  }

  /** Files on a disk share: reads, writes (sometimes of an executable), closes. */
  *fileWork(c, tid, share) {
    const r = this.rng;
    const o = this.o;
    const adminShare = share === 'ADMIN$' || share === 'C$';
    const files = r.int(1, 4);
    for (let f = 0; f < files; f++) {
      const exe = adminShare ? r.chance(0.4) : r.chance(0.05);
      const write = exe || r.chance(0.35);
      const name = exe
        ? r.pick(share === 'ADMIN$' ? ['PSEXESVC.exe', 'Temp\\svchost32.exe', 'Temp\\update.exe'] : ['Windows\\Temp\\tool.exe', 'ProgramData\\agent.exe'])
        : r.pick(DIRS) + r.pick(DOCS);
      const fail = o.failures && !write && r.chance(0.05) ? STATUS.OBJECT_NAME_NOT_FOUND : 0;
      const access = write ? (r.chance(0.3) ? ACCESS_GENERIC_WRITE : ACCESS_WRITE) : ACCESS_READ;
      const fid = c.create(tid, name, { desiredAccess: access, disposition: write ? 5 : 1, options: 0x40 }, fail);
      yield;
      if (!fid) continue;
      const ops = r.int(1, 6);
      let off = 0;
      for (let i = 0; i < ops; i++) {
        const len = this.ioLength();
        if (write) {
          if (exe && i === 0) {
            const n = Math.max(len, 512);
            this.mz.copy(this.mzBuf, 0, 0, Math.min(n, this.mz.length));
            if (n > this.mz.length) this.pool.copy(this.mzBuf, this.mz.length, 0, n - this.mz.length);
            c.write(tid, fid, off, this.mzBuf, 0, n);
            off += n;
          } else {
            const [buf, s] = this.data(len);
            c.write(tid, fid, off, buf, s, len);
            off += len;
          }
        } else {
          const [buf, s] = this.data(len);
          c.read(tid, fid, off, buf, s, len);
          off += len;
        }
        yield;
      }
      c.close(tid, fid);
      yield;
    }
  }

  run() {
    const o = this.o;
    const r = this.rng;
    const active = [];
    let started = 0;
    const more = () => (o.sessions ? started < o.sessions : this.w.bytes < o.size);
    for (;;) {
      while (active.length < o.concurrency && more()) {
        active.push(this.newConversation());
        started++;
      }
      if (active.length === 0) break;
      const i = active.length === 1 ? 0 : r.int(0, active.length - 1);
      if (active[i].it.next().done) {
        active[i] = active[active.length - 1];
        active.pop();
      }
    }
    this.w.close();
    return started;
  }
}

function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  const t0 = process.hrtime.bigint();
  const g = new Generator(o);
  const connections = g.run();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const s = g.stats;
  if (!o.quiet) {
    const summary = {
      out: o.out, seed: o.seed, bytes: g.w.bytes, packets: g.w.packets, seconds: +secs.toFixed(3),
      mbPerSec: +(g.w.bytes / 1048576 / secs).toFixed(1), packetsPerSec: Math.round(g.w.packets / secs),
      connections, ...s, users: [...s.users].sort(),
    };
    process.stdout.write(JSON.stringify(summary) + '\n');
  }
}

if (require.main === module) main();

module.exports = { Generator, parseArgs, parseSize };
