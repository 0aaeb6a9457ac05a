'use strict';
/**
 * DCE/RPC connection-oriented BIND and BIND_ACK PDUs (C706 chapter 12, MS-RPCE), the first
 * bytes a client writes to and reads from a named pipe on IPC$.
 */

/** "12345678-1234-abcd-ef00-0123456789ab" → 16 bytes in the little-endian wire form. */
function uuid(text) {
  const h = text.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

const NDR = uuid('8a885d04-1ceb-11c9-9fe8-08002b104860');

/** interface UUID and major version per pipe */
const PIPES = {
  srvsvc: ['4b324fc8-1670-01d3-1278-5a47bf6ee188', 3],
  wkssvc: ['6bffd098-a112-3610-9833-46c3f87e345a', 1],
  lsarpc: ['12345778-1234-abcd-ef00-0123456789ab', 0],
  samr: ['12345778-1234-abcd-ef00-0123456789ac', 1],
  svcctl: ['367abb81-9844-35f1-ad32-98f038001003', 2],
  winreg: ['338cd001-2244-31f1-aaaa-900038001003', 1],
};

function header(b, ptype, fragLen, callId) {
  b[0] = 5;
  b[1] = 0;
  b[2] = ptype;
  b[3] = 0x03; // first and last fragment
  b.writeUInt32LE(0x10, 4); // little-endian, ASCII, IEEE float
  b.writeUInt16LE(fragLen, 8);
  b.writeUInt16LE(0, 10);
  b.writeUInt32LE(callId, 12);
}

function bind(pipe, callId) {
  const [iface, ver] = PIPES[pipe];
  const b = Buffer.alloc(72);
  header(b, 11, 72, callId);
  b.writeUInt16LE(4280, 16);
  b.writeUInt16LE(4280, 18);
  b[24] = 1; // one context item
  b.writeUInt16LE(0, 28); // context id
  b[30] = 1; // one transfer syntax
  uuid(iface).copy(b, 32);
  b.writeUInt16LE(ver, 48);
  NDR.copy(b, 52);
  b.writeUInt32LE(2, 68);
  return b;
}

function bindAck(pipe, callId, assocGroup) {
  const addr = Buffer.from(`\\PIPE\\${pipe}\0`, 'latin1');
  let off = 26 + addr.length;
  off = (off + 3) & ~3;
  const len = off + 4 + 24;
  const b = Buffer.alloc(len);
  header(b, 12, len, callId);
  b.writeUInt16LE(4280, 16);
  b.writeUInt16LE(4280, 18);
  b.writeUInt32LE(assocGroup >>> 0, 20);
  b.writeUInt16LE(addr.length, 24);
  addr.copy(b, 26);
  b[off] = 1; // one result
  // result 0 (acceptance), reason 0, transfer syntax NDR v2
  NDR.copy(b, off + 8);
  b.writeUInt32LE(2, off + 24);
  return b;
}

module.exports = { bind, bindAck, PIPES };
