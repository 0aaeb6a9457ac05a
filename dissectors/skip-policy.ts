/**
 * How much of an SMB message is worth buffering, decided from its first bytes: READ responses
 * and WRITE requests are kept only up to their data's first bytes (enough to see an 'MZ'), and
 * encrypted/compressed messages only up to their transform header. Everything else (the
 * lifecycle commands, CREATE, IOCTL, compounds) is kept whole.
 */

/** bytes of READ/WRITE data kept past the data offset */
export const DATA_HEAD_BYTES = 64;
/** only messages larger than this are cut */
const CUT_ABOVE = 1024;

export function bytesToKeep(head: Buffer, total: number): number {
  if (total <= CUT_ABOVE || head.length < 4) return total;
  const b0 = head[0];
  if (head[1] !== 0x53 || head[2] !== 0x4d || head[3] !== 0x42) return total;
  if (b0 === 0xfd) return Math.min(total, 52); // TRANSFORM header
  if (b0 === 0xfc) return Math.min(total, 16); // COMPRESSION_TRANSFORM header
  if (b0 === 0xfe) {
    if (head.length < 64) return total;
    const cmd = head.readUInt16LE(12);
    const response = (head.readUInt32LE(16) & 1) !== 0;
    const next = head.readUInt32LE(20);
    if (next !== 0) return total; // compound: keep the chain intact
    if (cmd === 0x08 && response) {
      // READ response: StructureSize(2) DataOffset(1) Reserved(1) DataLength(4) ...
      const dataOffset = head.length >= 67 ? head[66]! : 80;
      return Math.min(total, Math.max(80, dataOffset) + DATA_HEAD_BYTES);
    }
    if (cmd === 0x09 && !response) {
      // WRITE request: StructureSize(2) DataOffset(2) Length(4) ...
      const dataOffset = head.length >= 68 ? head.readUInt16LE(66) : 112;
      return Math.min(total, Math.max(112, Math.min(dataOffset, 4096)) + DATA_HEAD_BYTES);
    }
    return total;
  }
  if (b0 === 0xff) {
    if (head.length < 33) return total;
    const cmd = head[4];
    const response = (head[9]! & 0x80) !== 0;
    // READ_ANDX response / WRITE_ANDX request: the data sits after ~60-70 bytes of header and
    // words; a fixed window covers the words, the AndX follow-up and the data's first bytes.
    if ((cmd === 0x2e && response) || (cmd === 0x2f && !response)) return Math.min(total, 256);
    return total;
  }
  return total;
}
