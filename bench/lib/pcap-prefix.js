'use strict';
/**
 * Pcap-aware prefix: copies the file header and whole records of a classic pcap (either byte
 * order, µs or ns) until the next record would pass maxBytes. Used to time tshark on the first
 * N MB of a large input and extrapolate. Returns {file, bytes, packets}.
 */
const fs = require('node:fs');

function pcapPrefix(src, dst, maxBytes) {
  if (fs.existsSync(dst) && fs.existsSync(dst + '.packets')) {
    return { file: dst, bytes: fs.statSync(dst).size, packets: Number(fs.readFileSync(dst + '.packets', 'utf8')) };
  }
  const fd = fs.openSync(src, 'r');
  const hdr = Buffer.alloc(24);
  fs.readSync(fd, hdr, 0, 24, 0);
  const magic = hdr.readUInt32LE(0);
  let le;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = false;
  else throw new Error(`${src}: not a classic pcap (magic 0x${magic.toString(16)})`);
  const tmp = dst + '.tmp';
  const out = fs.openSync(tmp, 'w');
  fs.writeSync(out, hdr);
  const chunk = Buffer.allocUnsafe(16 << 20);
  let filePos = 24;
  let size = 24;
  let packets = 0;
  let have = 0; // bytes of chunk holding unread data starting at chunk[0]
  let done = false;
  while (!done) {
    const n = fs.readSync(fd, chunk, have, chunk.length - have, filePos);
    filePos += n;
    have += n;
    let o = 0;
    for (;;) {
      if (have - o < 16) break;
      const cap = le ? chunk.readUInt32LE(o + 8) : chunk.readUInt32BE(o + 8);
      if (cap > chunk.length - 16) throw new Error(`${src}: record of ${cap} bytes`);
      if (have - o < 16 + cap) break;
      if (size + 16 + cap > maxBytes) {
        done = true;
        break;
      }
      size += 16 + cap;
      packets++;
      o += 16 + cap;
    }
    fs.writeSync(out, chunk, 0, o);
    chunk.copy(chunk, 0, o, have);
    have -= o;
    if (n === 0) done = true;
  }
  fs.closeSync(fd);
  fs.closeSync(out);
  fs.renameSync(tmp, dst);
  fs.writeFileSync(dst + '.packets', String(packets));
  return { file: dst, bytes: size, packets };
}

module.exports = { pcapPrefix };
