'use strict';
/**
 * SMB2/3 message builders (MS-SMB2 section 2.2): the 64-byte sync header and the bodies of the
 * lifecycle and file commands, with their fixed StructureSize values and buffer offsets
 * relative to the start of the SMB2 header. nbss() frames one or more messages for
 * Direct TCP transport (MS-SMB2 2.1: a zero byte and a 24-bit big-endian length).
 */

const CMD = {
  NEGOTIATE: 0,
  SESSION_SETUP: 1,
  LOGOFF: 2,
  TREE_CONNECT: 3,
  TREE_DISCONNECT: 4,
  CREATE: 5,
  CLOSE: 6,
  READ: 8,
  WRITE: 9,
  IOCTL: 0x0b,
};

const STATUS = {
  SUCCESS: 0,
  MORE_PROCESSING_REQUIRED: 0xc0000016,
  ACCESS_DENIED: 0xc0000022,
  OBJECT_NAME_NOT_FOUND: 0xc0000034,
  BAD_NETWORK_NAME: 0xc00000cc,
  LOGON_FAILURE: 0xc000006d,
};

const FLAGS_RESPONSE = 0x00000001;
const HDR = 64;

/** SMB2 sync header fields; one shape for every message keeps the writer monomorphic. */
class Header {
  constructor(cmd, messageId, creditCharge = 1, credits = 1, treeId = 0, sessionId = 0) {
    this.cmd = cmd;
    this.status = 0;
    this.response = false;
    this.creditCharge = creditCharge;
    this.credits = credits;
    this.flags = 0;
    this.nextCommand = 0;
    this.messageId = messageId;
    this.processId = 0xfeff;
    this.treeId = treeId;
    this.sessionId = sessionId;
  }

  /** The matching response header. */
  reply(status = 0, sessionId = this.sessionId, treeId = this.treeId) {
    const r = new Header(this.cmd, this.messageId, this.creditCharge, this.credits, treeId, sessionId);
    r.response = true;
    r.status = status;
    return r;
  }
}

/** A Header from a partial description (fields as in Header, all optional but cmd/messageId). */
function header(o) {
  const h = new Header(o.cmd, o.messageId ?? 0, o.creditCharge ?? 1, o.credits ?? 1, o.treeId ?? 0, o.sessionId ?? 0);
  if (o.status !== undefined) h.status = o.status;
  if (o.response !== undefined) h.response = o.response;
  if (o.flags !== undefined) h.flags = o.flags;
  if (o.nextCommand !== undefined) h.nextCommand = o.nextCommand;
  if (o.processId !== undefined) h.processId = o.processId;
  return h;
}

/** Writes the 64-byte sync SMB2 header at b[off]. @param {Header} h */
function writeHeader(b, off, h) {
  b.writeUInt32BE(0xfe534d42, off);
  b.writeUInt16LE(HDR, off + 4);
  b.writeUInt16LE(h.creditCharge, off + 6);
  b.writeUInt32LE(h.status >>> 0, off + 8);
  b.writeUInt16LE(h.cmd, off + 12);
  b.writeUInt16LE(h.credits, off + 14);
  b.writeUInt32LE((h.flags | (h.response ? FLAGS_RESPONSE : 0)) >>> 0, off + 16);
  b.writeUInt32LE(h.nextCommand >>> 0, off + 20);
  writeU64(b, off + 24, h.messageId);
  b.writeUInt32LE(h.processId >>> 0, off + 32);
  b.writeUInt32LE(h.treeId >>> 0, off + 36);
  writeU64(b, off + 40, h.sessionId);
  b.fill(0, off + 48, off + 64);
}

/** Little-endian uint64 from a non-negative safe integer. */
function writeU64(b, off, v) {
  b.writeUInt32LE(v % 4294967296 >>> 0, off);
  b.writeUInt32LE(Math.floor(v / 4294967296) >>> 0, off + 4);
}

/** One SMB2 message (header + body) framed in NBSS. @param {Header} h */
function message(h, body) {
  const len = HDR + body.length;
  const b = Buffer.allocUnsafe(4 + len);
  b.writeUInt32BE(len, 0);
  writeHeader(b, 4, h);
  body.copy(b, 4 + HDR);
  return b;
}

/**
 * Several SMB2 messages in one NBSS frame (a compound). Every message but the last is padded
 * to 8 bytes and its NextCommand set to its padded length, unless `nextCommand` overrides it.
 * @param {{h: object, body: Buffer}[]} parts
 */
function compound(parts) {
  const sizes = parts.map((p, i) => {
    const n = HDR + p.body.length;
    return i < parts.length - 1 ? (n + 7) & ~7 : n;
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  const b = Buffer.alloc(4 + total);
  b.writeUInt32BE(total, 0);
  let off = 4;
  parts.forEach((p, i) => {
    const h = header(p.h);
    h.nextCommand = p.h.nextCommand !== undefined ? p.h.nextCommand : i < parts.length - 1 ? sizes[i] : 0;
    writeHeader(b, off, h);
    p.body.copy(b, off + HDR);
    off += sizes[i];
  });
  return b;
}

/** A body buffer of `fixed` bytes with StructureSize `ss`, followed by `tail`. */
function body(ss, fixed, tail) {
  const b = Buffer.alloc(fixed + (tail ? tail.length : 0));
  b.writeUInt16LE(ss, 0);
  if (tail) tail.copy(b, fixed);
  return b;
}

const pad8 = (n) => (n + 7) & ~7;

// --- NEGOTIATE (2.2.3, 2.2.4) ---

/** Negotiate contexts for 3.1.1: preauth integrity (SHA-512 + salt) and encryption (GCM, CCM). */
function negotiateContexts(salt) {
  const pre = Buffer.alloc(8 + 6 + salt.length);
  pre.writeUInt16LE(1, 0);
  pre.writeUInt16LE(6 + salt.length, 2);
  pre.writeUInt16LE(1, 8); // HashAlgorithmCount
  pre.writeUInt16LE(salt.length, 10);
  pre.writeUInt16LE(1, 12); // SHA-512
  salt.copy(pre, 14);
  const enc = Buffer.alloc(8 + 6);
  enc.writeUInt16LE(2, 0);
  enc.writeUInt16LE(6, 2);
  enc.writeUInt16LE(2, 8); // CipherCount
  enc.writeUInt16LE(2, 10); // AES-128-GCM
  enc.writeUInt16LE(1, 12); // AES-128-CCM
  return [pre, enc];
}

function joinContexts(ctxs) {
  const parts = [];
  ctxs.forEach((c, i) => {
    parts.push(c);
    if (i < ctxs.length - 1) parts.push(Buffer.alloc(pad8(c.length) - c.length));
  });
  return Buffer.concat(parts);
}

/** @param {number[]} dialects  @param {Buffer} clientGuid  @param {Buffer|null} salt (3.1.1) */
function negotiateRequest(dialects, clientGuid, salt) {
  const fixed = 36;
  const dl = Buffer.alloc(dialects.length * 2);
  dialects.forEach((d, i) => dl.writeUInt16LE(d, i * 2));
  const has311 = dialects.includes(0x0311);
  let tail = dl;
  let ctxOff = 0;
  let ctxs = null;
  if (has311) {
    ctxOff = pad8(HDR + fixed + dl.length);
    ctxs = negotiateContexts(salt);
    tail = Buffer.concat([dl, Buffer.alloc(ctxOff - (HDR + fixed + dl.length)), joinContexts(ctxs)]);
  }
  const b = body(36, fixed, tail);
  b.writeUInt16LE(dialects.length, 2);
  b.writeUInt16LE(1, 4); // signing enabled
  b.writeUInt32LE(has311 ? 0x7f : 0x7f, 8);
  clientGuid.copy(b, 12);
  if (has311) {
    b.writeUInt32LE(ctxOff, 28);
    b.writeUInt16LE(ctxs.length, 32);
  }
  return b;
}

/**
 * @param {number} dialect  @param {Buffer} serverGuid  @param {Buffer} secBlob
 * @param {Buffer|null} salt (3.1.1)  @param {Buffer} systemTime FILETIME
 */
function negotiateResponse(dialect, serverGuid, secBlob, salt, systemTime) {
  const fixed = 64;
  let tail = secBlob;
  let ctxOff = 0;
  let ctxs = null;
  if (dialect === 0x0311) {
    ctxOff = pad8(HDR + fixed + secBlob.length);
    const pre = negotiateContexts(salt)[0];
    const enc = Buffer.alloc(8 + 4);
    enc.writeUInt16LE(2, 0);
    enc.writeUInt16LE(4, 2);
    enc.writeUInt16LE(1, 8);
    enc.writeUInt16LE(2, 10);
    ctxs = [pre, enc];
    tail = Buffer.concat([secBlob, Buffer.alloc(ctxOff - (HDR + fixed + secBlob.length)), joinContexts(ctxs)]);
  }
  const b = body(65, fixed, tail);
  b.writeUInt16LE(1, 2);
  b.writeUInt16LE(dialect, 4);
  if (ctxs) b.writeUInt16LE(ctxs.length, 6);
  serverGuid.copy(b, 8);
  b.writeUInt32LE(dialect === 0x0311 ? 0x2f : 0x07, 24);
  b.writeUInt32LE(8388608, 28);
  b.writeUInt32LE(8388608, 32);
  b.writeUInt32LE(8388608, 36);
  systemTime.copy(b, 40);
  b.writeUInt16LE(HDR + fixed, 56);
  b.writeUInt16LE(secBlob.length, 58);
  b.writeUInt32LE(ctxOff, 60);
  return b;
}

// --- SESSION_SETUP (2.2.5, 2.2.6), LOGOFF (2.2.7, 2.2.8) ---

function sessionSetupRequest(secBlob) {
  const b = body(25, 24, secBlob);
  b[3] = 1; // SecurityMode: signing enabled
  b.writeUInt32LE(1, 4); // DFS
  b.writeUInt16LE(HDR + 24, 12);
  b.writeUInt16LE(secBlob.length, 14);
  return b;
}

function sessionSetupResponse(secBlob, sessionFlags = 0) {
  const b = body(9, 8, secBlob);
  b.writeUInt16LE(sessionFlags, 2);
  b.writeUInt16LE(secBlob.length ? HDR + 8 : 0, 4);
  b.writeUInt16LE(secBlob.length, 6);
  return b;
}

/** LOGOFF, TREE_DISCONNECT requests and responses: StructureSize 4, Reserved. */
function empty4() {
  return body(4, 4, null);
}

// --- TREE_CONNECT (2.2.9, 2.2.10) ---

function treeConnectRequest(path) {
  const p = Buffer.from(path, 'utf16le');
  const b = body(9, 8, p);
  b.writeUInt16LE(HDR + 8, 4);
  b.writeUInt16LE(p.length, 6);
  return b;
}

/** shareType: 1 disk, 2 pipe, 3 print. */
function treeConnectResponse(shareType, maximalAccess) {
  const b = body(16, 16, null);
  b[2] = shareType;
  b.writeUInt32LE(shareType === 2 ? 0x30 : 0x800, 4);
  b.writeUInt32LE(maximalAccess >>> 0, 12);
  return b;
}

// --- CREATE (2.2.13, 2.2.14), CLOSE (2.2.15, 2.2.16) ---

/**
 * @param {string} name  @param {{desiredAccess: number, disposition: number, options: number,
 *   shareAccess?: number, attributes?: number}} o
 */
function createRequest(name, o) {
  const n = Buffer.from(name, 'utf16le');
  const b = body(57, 56, n.length ? n : Buffer.alloc(1));
  b.writeUInt32LE(2, 4); // ImpersonationLevel: Impersonation
  b.writeUInt32LE(o.desiredAccess >>> 0, 24);
  b.writeUInt32LE(o.attributes ?? 0x80, 28);
  b.writeUInt32LE(o.shareAccess ?? 7, 32);
  b.writeUInt32LE(o.disposition, 36);
  b.writeUInt32LE(o.options >>> 0, 40);
  b.writeUInt16LE(HDR + 56, 44);
  b.writeUInt16LE(n.length, 46);
  return b;
}

/** @param {Buffer} fileId 16 bytes  @param {Buffer} times FILETIME  @param {number} size */
function createResponse(fileId, times, size, createAction, attributes) {
  const b = body(89, 88, null);
  b.writeUInt32LE(createAction, 4);
  for (let i = 0; i < 4; i++) times.copy(b, 8 + i * 8);
  writeU64(b, 40, pad4k(size));
  writeU64(b, 48, size);
  b.writeUInt32LE(attributes, 56);
  fileId.copy(b, 64);
  return b;
}

const pad4k = (n) => Math.ceil(n / 4096) * 4096;

function closeRequest(fileId) {
  const b = body(24, 24, null);
  fileId.copy(b, 8);
  return b;
}

function closeResponse() {
  return body(60, 60, null);
}

// --- READ (2.2.19, 2.2.20), WRITE (2.2.21, 2.2.22) ---

function readRequest(fileId, length, offset) {
  const b = body(49, 49, null);
  b[2] = 0x50; // Padding: where the response data should start
  b.writeUInt32LE(length, 4);
  writeU64(b, 8, offset);
  fileId.copy(b, 16);
  return b;
}

/** data[start, end) is the read payload. */
function readResponse(data, start = 0, end = data.length) {
  const b = Buffer.alloc(16 + end - start);
  b.writeUInt16LE(17, 0);
  b[2] = HDR + 16;
  b.writeUInt32LE(end - start, 4);
  data.copy(b, 16, start, end);
  return b;
}

function writeRequest(fileId, offset, data, start = 0, end = data.length) {
  const b = Buffer.alloc(48 + end - start);
  b.writeUInt16LE(49, 0);
  b.writeUInt16LE(HDR + 48, 2);
  b.writeUInt32LE(end - start, 4);
  writeU64(b, 8, offset);
  fileId.copy(b, 16);
  data.copy(b, 48, start, end);
  return b;
}

function writeResponse(count) {
  const b = body(17, 16, null);
  b.writeUInt32LE(count, 4);
  return b;
}

/** Error response (2.2.2): StructureSize 9, one byte of ErrorData. */
function errorResponse() {
  return body(9, 9, null);
}

module.exports = {
  CMD,
  STATUS,
  HDR,
  Header,
  header,
  writeHeader,
  writeU64,
  message,
  compound,
  negotiateRequest,
  negotiateResponse,
  sessionSetupRequest,
  sessionSetupResponse,
  empty4,
  treeConnectRequest,
  treeConnectResponse,
  createRequest,
  createResponse,
  closeRequest,
  closeResponse,
  readRequest,
  readResponse,
  writeRequest,
  writeResponse,
  errorResponse,
};
