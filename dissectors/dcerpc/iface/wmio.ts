/**
 * MS-WMIO encoded objects, only as far as the contract needs: the value of one string property
 * (`CommandLine` of Win32_Process.Create's in-parameters) in an encoded CIM instance, as
 * wmiexec.py and `wmic process call create` send it to IWbemServices::ExecMethod.
 *
 * EncodingUnit (2.2.1): signature 0x12345678, ObjectEncodingLength, ObjectBlock. ObjectBlock
 * (2.2.5): ObjectFlags, [Decoration: two EncodedStrings], InstanceType (2.2.53): the ClassPart
 * (2.2.15: header, derivation list, qualifier set, property lookup table, NdTable+ValueTable,
 * class heap) then the instance's own EncodingLength, flags, class name ref, NdTable+values,
 * qualifier sets and heap. A property's name and PropertyInfo (type, order, ValueTableOffset)
 * sit in the class heap; a string value is a HeapRef into the instance heap to an EncodedString.
 * All little-endian. Anything unexpected → null (never a throw, never a read outside `b`).
 */

const SIGNATURE = 0x12345678;
const CIM_STRING = 8;
const MAX_PROPERTIES = 256;
const MAX_TEXT = 4096;

function u32(b: Buffer, p: number): number {
  return p >= 0 && p + 4 <= b.length ? b.readUInt32LE(p) : -1;
}

/** EncodedString (2.2.78) at p: flag 0 = 8-bit chars, 1 = UTF-16LE; NUL-terminated; null if none fits. */
export function encodedString(b: Buffer, p: number): string | null {
  if (p < 0 || p >= b.length) return null;
  const flag = b[p];
  let i = p + 1;
  if (flag === 0) {
    while (i < b.length && b[i] !== 0) i++;
    if (i >= b.length) return null;
    return b.toString('latin1', p + 1, Math.min(i, p + 1 + MAX_TEXT));
  }
  if (flag === 1) {
    while (i + 1 < b.length && (b[i] !== 0 || b[i + 1] !== 0)) i += 2;
    if (i + 1 >= b.length) return null;
    return b.toString('utf16le', p + 1, Math.min(i, p + 1 + MAX_TEXT * 2));
  }
  return null;
}

/** Value of the string property `name` in the encoded instance `b` (an EncodingUnit), or null. */
export function instanceStringProperty(b: Buffer, name: string): string | null {
  if (u32(b, 0) !== SIGNATURE) return null;
  const len = u32(b, 4);
  if (len < 1 || 8 + len > b.length) return null;
  const end = 8 + len;
  let p = 8;
  const flags = b[p++]!; // p = 8 < 8 + len <= b.length
  if (!(flags & 0x02)) return null; // a class, not an instance
  if (flags & 0x04) {
    // Decoration: DecServerName, DecNamespaceName
    for (let k = 0; k < 2; k++) {
      const s = encodedString(b, p);
      if (s === null) return null;
      p = b[p] === 1 ? p + 1 + (s.length + 1) * 2 : p + 1 + s.length + 1;
      if (s.length >= MAX_TEXT) return null; // capped: the true end is unknown
    }
  }
  // ClassPart
  const cp = p;
  const classLen = u32(b, p);
  const ndValLen = u32(b, p + 9);
  if (classLen < 13 || ndValLen < 0 || cp + classLen > end) return null;
  p += 13;
  const derivLen = u32(b, p);
  if (derivLen < 4) return null;
  p += derivLen;
  const qualLen = u32(b, p);
  if (qualLen < 4) return null;
  p += qualLen;
  const count = u32(b, p);
  if (count < 0 || count > MAX_PROPERTIES) return null;
  const lookup = p + 4;
  p = lookup + count * 8 + ndValLen;
  const heapLen = u32(b, p);
  if (heapLen < 0) return null;
  const heap = p + 4;
  const heapEnd = heap + (heapLen & 0x7fffffff);
  if (heapEnd > cp + classLen) return null;
  const classHeap = b.subarray(heap, heapEnd);
  // find the property and its PropertyInfo
  let info = -1;
  for (let i = 0; i < count; i++) {
    const nameRef = u32(b, lookup + i * 8);
    if (nameRef < 0 || nameRef & 0x80000000) continue; // dictionary names are qualifiers' words, not property names
    if (encodedString(classHeap, nameRef) === name) {
      info = u32(b, lookup + i * 8 + 4);
      break;
    }
  }
  if (info < 0 || info + 10 > classHeap.length) return null;
  const type = classHeap.readUInt32LE(info) & ~0x4000; // Inherited flag
  const order = classHeap.readUInt16LE(info + 4);
  const valueOffset = classHeap.readUInt32LE(info + 6);
  if (type !== CIM_STRING || order >= count) return null;
  // InstancePart
  p = cp + classLen;
  const instLen = u32(b, p);
  if (instLen < 9 || p + instLen > end) return null;
  const instEnd = p + instLen;
  const nd = p + 9;
  const ndLen = count ? ((count - 1) >> 2) + 1 : 0;
  // a hostile count or order can put the NdTable byte past the end of b: such an object was null
  // further on anyway (the value table follows the NdTable), now at once
  const ndByte = b[nd + (order >> 2)];
  if (ndByte === undefined) return null;
  if ((ndByte >> ((order & 3) * 2)) & 1) return null; // NULL value
  const values = nd + ndLen;
  p = nd + ndValLen;
  // InstanceQualifierSet: QualifierSet, then InstancePropQualifierSet (flag 1 = none)
  const iq = u32(b, p);
  if (iq < 4) return null;
  p += iq;
  if (b[p] !== 1) return null; // per-property qualifier sets: not needed by senders we know
  p += 1;
  const ihLen = u32(b, p);
  if (ihLen < 0) return null;
  const ih = p + 4;
  const ihEnd = ih + (ihLen & 0x7fffffff);
  if (ihEnd > instEnd) return null;
  const ref = u32(b, values + valueOffset);
  if (ref < 0 || values + valueOffset + 4 > nd + ndValLen) return null;
  return encodedString(b.subarray(ih, ihEnd), ref);
}
