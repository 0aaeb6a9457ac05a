'use strict';
/**
 * One SMB2 client/server conversation over a TcpConnection: each method is one request/response
 * exchange written to the capture, with MessageId sequencing, credit charge/grant, server-
 * assigned SessionId/TreeId/FileId, and counters of what was written (for tests to compare with
 * what tshark sees).
 */
const { TcpConnection } = require('./pcap-writer');
const m = require('./smb2-messages');
const auth = require('./auth-blobs');

const { CMD, STATUS } = m;

/** Counters shared by all conversations of one capture. */
function newStats() {
  return {
    connections: 0,
    sessions: 0,
    sessionSetups: 0,
    logoffs: 0,
    treeConnects: 0,
    treeConnectsOk: 0,
    treeDisconnects: 0,
    creates: 0,
    reads: 0,
    writes: 0,
    mzWrites: 0,
    closes: 0,
    users: new Set(),
  };
}

class Smb2Conversation {
  /**
   * @param {import('./pcap-writer').PcapWriter} writer
   * @param {import('./prng').Prng} rng
   * @param {{now: number}} clock  shared, monotonic capture clock (µs)
   * @param {ReturnType<typeof newStats>} stats
   * @param {{client: object, server: object, serverName: string, dialect: number, mss?: number,
   *   domainName?: string, dnsDomain?: string}} o
   */
  constructor(writer, rng, clock, stats, o) {
    this.rng = rng;
    this.clock = clock;
    this.stats = stats;
    this.serverName = o.serverName;
    this.dialect = o.dialect;
    this.domainName = o.domainName ?? 'CORP';
    this.dnsDomain = o.dnsDomain ?? 'corp.example.com';
    this.tcp = new TcpConnection(writer, {
      client: o.client,
      server: o.server,
      mss: o.mss ?? 1460,
      isn: [rng.u32(), rng.u32()],
      ackEvery: 2,
    });
    this.messageId = 0;
    this.sessionId = 0;
    this.nextTreeId = rng.int(1, 8);
    this.rttUs = rng.int(80, 600);
    this.closed = false;
    stats.connections++;
  }

  /** Advances the shared clock a little and returns it. */
  tick(maxGap = 40) {
    this.clock.now += this.rng.int(1, maxGap);
    return this.clock.now;
  }

  /** Sends a request frame, then the response frame after one round trip. */
  exchange(req, resp) {
    let ts = this.tick();
    ts = this.tcp.send(ts, 0, req);
    ts += this.rttUs + this.rng.int(0, 50);
    ts = this.tcp.send(ts, 1, resp);
    if (this.rng.chance(0.25)) {
      ts += this.rng.int(1, 200);
      this.tcp.ack(ts, 0); // delayed ACK of the response
    }
    this.clock.now = ts;
  }

  /** Header fields of the next request; the MessageId advances by the credit charge. */
  req(cmd, treeId = 0, charge = 1) {
    const h = new m.Header(cmd, this.messageId, charge, charge + 31, treeId, this.sessionId);
    this.messageId += charge;
    return h;
  }

  /** Response header matching request header h. */
  resp(h, status = 0, sessionId = this.sessionId) {
    return h.reply(status, sessionId);
  }

  handshake() {
    this.clock.now = this.tcp.handshake(this.tick(), this.rttUs);
  }

  negotiate() {
    const rng = this.rng;
    const dialects = this.dialect === 0x0311 ? [0x0202, 0x0210, 0x0300, 0x0302, 0x0311] : [0x0202, 0x0210];
    const salt = this.dialect === 0x0311 ? rng.bytes(32) : null;
    const h = new m.Header(CMD.NEGOTIATE, this.messageId++, 0, 1);
    const req = m.negotiateRequest(dialects, rng.bytes(16), salt);
    const resp = m.negotiateResponse(this.dialect, rng.bytes(16), auth.spnegoNegTokenInit2(), salt && rng.bytes(32), auth.filetime(this.clock.now));
    this.exchange(m.message(h, req), m.message(h.reply(), resp));
  }

  /** Two-leg NTLMSSP session setup. Returns the SessionId (0 if logon failed). */
  sessionSetup(user, domain, workstation, fail = false) {
    const rng = this.rng;
    this.stats.sessionSetups++;
    const h1 = this.req(CMD.SESSION_SETUP);
    const sid = (rng.u32() % 0x10000) * 4294967296 + ((rng.u32() | 1) >>> 0);
    const challenge = auth.ntlmChallenge(rng, this.domainName, this.serverName, this.dnsDomain, this.clock.now);
    this.exchange(
      m.message(h1, m.sessionSetupRequest(auth.spnegoInitNtlm(auth.ntlmNegotiate()))),
      m.message(
        this.resp(h1, STATUS.MORE_PROCESSING_REQUIRED, sid),
        m.sessionSetupResponse(auth.spnegoResp({ negState: 1, supportedMech: true, token: challenge.token }))
      )
    );
    this.sessionId = sid;
    const h2 = this.req(CMD.SESSION_SETUP);
    const token = auth.ntlmAuthenticate(rng, challenge.info, user, domain, workstation, this.clock.now);
    this.stats.users.add(user); // every name sent in an AUTHENTICATE, accepted or not
    const mic = Buffer.concat([Buffer.from([1, 0, 0, 0]), rng.bytes(8), Buffer.alloc(4)]);
    const final = fail
      ? m.message(this.resp(h2, STATUS.LOGON_FAILURE), m.errorResponse())
      : m.message(this.resp(h2, STATUS.SUCCESS), m.sessionSetupResponse(auth.spnegoResp({ negState: 0, mic })));
    this.exchange(m.message(h2, m.sessionSetupRequest(auth.spnegoResp({ token, mic }))), final);
    if (fail) {
      this.sessionId = 0;
      return 0;
    }
    this.stats.sessions++;
    return sid;
  }

  /** Returns the TreeId, or 0 when the server refuses (`refuse` is the NT status to refuse with). */
  treeConnect(share, refuse = 0) {
    this.stats.treeConnects++;
    const h = this.req(CMD.TREE_CONNECT);
    const req = m.message(h, m.treeConnectRequest(`\\\\${this.serverName}\\${share}`));
    if (refuse) {
      this.exchange(req, m.message(this.resp(h, refuse), m.errorResponse()));
      return 0;
    }
    const tid = this.nextTreeId;
    this.nextTreeId = (this.nextTreeId + this.rng.int(1, 4)) >>> 0 || 1;
    const pipe = share.toUpperCase() === 'IPC$';
    this.exchange(req, m.message(h.reply(0, this.sessionId, tid), m.treeConnectResponse(pipe ? 2 : 1, pipe ? 0x1f01ff : 0x1f01ff)));
    this.stats.treeConnectsOk++;
    return tid;
  }

  treeDisconnect(tid) {
    const h = this.req(CMD.TREE_DISCONNECT, tid);
    this.exchange(m.message(h, m.empty4()), m.message(this.resp(h), m.empty4()));
    this.stats.treeDisconnects++;
  }

  /** Returns the 16-byte FileId, or null when the server answers `fail`. */
  create(tid, name, o, fail = 0) {
    this.stats.creates++;
    const h = this.req(CMD.CREATE, tid);
    const req = m.message(h, m.createRequest(name, o));
    if (fail) {
      this.exchange(req, m.message(this.resp(h, fail), m.errorResponse()));
      return null;
    }
    const fid = this.rng.bytes(16);
    const action = o.disposition === 1 ? 1 : o.disposition === 2 ? 2 : this.rng.int(1, 3);
    const size = o.size ?? this.rng.int(0, 1 << 20);
    this.exchange(req, m.message(this.resp(h), m.createResponse(fid, auth.filetime(this.clock.now - 86400e6), size, action, o.attributes ?? 0x20)));
    return fid;
  }

  /** Reads len bytes; the response carries data[start, start+len). */
  read(tid, fid, offset, data, start, len) {
    this.stats.reads++;
    const charge = Math.max(1, Math.ceil(len / 65536));
    const h = this.req(CMD.READ, tid, charge);
    this.exchange(m.message(h, m.readRequest(fid, len, offset)), m.message(this.resp(h), m.readResponse(data, start, start + len)));
  }

  write(tid, fid, offset, data, start, len) {
    this.stats.writes++;
    if (data[start] === 0x4d && data[start + 1] === 0x5a) this.stats.mzWrites++;
    const charge = Math.max(1, Math.ceil(len / 65536));
    const h = this.req(CMD.WRITE, tid, charge);
    this.exchange(m.message(h, m.writeRequest(fid, offset, data, start, start + len)), m.message(this.resp(h), m.writeResponse(len)));
  }

  close(tid, fid) {
    this.stats.closes++;
    const h = this.req(CMD.CLOSE, tid);
    this.exchange(m.message(h, m.closeRequest(fid)), m.message(this.resp(h), m.closeResponse()));
  }

  logoff() {
    const h = this.req(CMD.LOGOFF);
    this.exchange(m.message(h, m.empty4()), m.message(this.resp(h), m.empty4()));
    this.stats.logoffs++;
    this.sessionId = 0;
  }

  /** FIN handshake from the client, or a RST. */
  end(rst = false) {
    const ts = this.tick();
    this.clock.now = rst ? this.tcp.closeRst(ts, 0) : this.tcp.closeFin(ts, 0, this.rttUs);
    this.closed = true;
  }
}

module.exports = { Smb2Conversation, newStats };
