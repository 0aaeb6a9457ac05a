/**
 * DCOM wire pieces shared by the DCOM interfaces (MS-DCOM 2.2): ORPCTHIS, MInterfacePointer,
 * OBJREF_CUSTOM and the activation properties blob that names the CLSID being created.
 */
import { NdrReader } from '../ndr';
import { uuidAt } from '../uuid';

/** OBJREF signature 'MEOW' (little-endian u32). */
const OBJREF_SIGNATURE = 0x574f454d;
const OBJREF_CUSTOM = 4;
/** CLSID of the InstantiationInfoData property (MS-DCOM 2.2.22.2.1). */
const CLSID_INSTANTIATION_INFO = '000001ab-0000-0000-c000-000000000046';
/** Type-serialization v1 headers (common + private) before each serialized structure. */
const SERIALIZATION_HEADERS = 16;
const MAX_PROPERTIES = 32;

/** Skip ORPCTHIS (version, flags, reserved, causality id, [unique] extensions). */
export function skipOrpcThis(r: NdrReader): void {
  r.alignStruct();
  r.u16();
  r.u16();
  r.u32(); // flags
  r.u32(); // reserved1
  r.uuid(); // cid
  const ext = r.pointer();
  if (!ext || r.err) return;
  // ORPC_EXTENT_ARRAY { size; reserved; [unique, size_is((size+1)&~1)] ORPC_EXTENT** extent }
  r.alignStruct();
  r.u32();
  r.u32();
  if (!r.pointer()) return;
  const n = r.conformantArray(r.ptrSize);
  let present = 0;
  for (let i = 0; i < n && !r.err; i++) if (r.pointer()) present++;
  for (let i = 0; i < present && !r.err; i++) {
    // ORPC_EXTENT { GUID id; size; [size_is((size+7)&~7)] byte data[] } — conformant struct
    const max = r.count();
    r.uuid();
    const size = r.u32();
    if (((size + 7) & ~7) !== max) r.fail('ndr-array-bounds');
    r.skip(max);
  }
}

/** `[unique] MInterfacePointer*` at top level: the OBJREF bytes (a view), or null. */
export function mInterfacePointer(r: NdrReader): Buffer | null {
  if (!r.pointer()) return null;
  // conformant struct: max_count, ulCntData, abData[ulCntData]
  const max = r.count();
  const n = r.u32();
  if (!r.err && n !== max) r.fail('ndr-array-bounds');
  const b = r.bytes(n);
  return r.err ? null : b;
}

/**
 * An OBJREF_CUSTOM's object data (MS-DCOM 2.2.18.6): signature, flags, iid, clsid,
 * cbExtension, size, then pObjectData. Null when it is another kind of OBJREF or malformed.
 */
export function customObjrefData(objref: Buffer): { clsid: string; data: Buffer } | null {
  if (objref.length < 48 || objref.readUInt32LE(0) !== OBJREF_SIGNATURE || objref.readUInt32LE(4) !== OBJREF_CUSTOM) return null;
  const clsid = uuidAt(objref, 24, false);
  return { clsid, data: objref.subarray(48) };
}

const BLOB = new NdrReader();

/**
 * The CLSID an activation (RemoteCreateInstance / RemoteGetClassObject) asks for: in the
 * activation properties blob (MS-DCOM 2.2.22), CustomHeader lists the properties' CLSIDs and
 * sizes; InstantiationInfoData's first field is classId. Null when absent or malformed.
 */
export function activationClsid(objData: Buffer): string | null {
  if (objData.length < 8 + SERIALIZATION_HEADERS) return null;
  // dwSize, dwReserved, then the type-serialized CustomHeader
  const r = BLOB.reset(objData.subarray(8 + SERIALIZATION_HEADERS), (objData[8 + 1]! & 0xf0) === 0);
  r.u32(); // totalSize
  const headerSize = r.u32();
  r.u32(); // dwReserved
  r.u32(); // destCtx
  const cIfs = r.u32();
  r.uuid(); // classInfoClsid
  const pClsid = r.pointer();
  const pSizes = r.pointer();
  r.pointer(); // pdwReserved
  if (r.err || !pClsid || !pSizes || cIfs > MAX_PROPERTIES) return null;
  if (r.conformantArray(16) !== cIfs) return null;
  let index = -1;
  for (let i = 0; i < cIfs; i++) if (r.uuid() === CLSID_INSTANTIATION_INFO && index < 0) index = i;
  if (r.conformantArray(4) !== cIfs || index < 0) return null;
  let offset = 8 + headerSize;
  for (let i = 0; i < index; i++) offset += r.u32();
  if (r.err) return null;
  const at = offset + SERIALIZATION_HEADERS;
  if (at + 16 > objData.length) return null;
  return uuidAt(objData, at, false);
}

/** `BSTR` at top level (a [unique] FLAGGED_WORD_BLOB*): null or the string (capped). */
export function bstr(r: NdrReader): string | null {
  if (!r.pointer()) return null;
  // conformant struct: max_count, cBytes, clSize, asData[clSize] (UTF-16 units)
  const max = r.count();
  r.u32(); // cBytes
  const n = r.u32();
  if (r.err) return null;
  if (n !== max || n * 2 > r.remaining) {
    r.fail('ndr-array-bounds');
    return null;
  }
  const s = r.wchars(r.pos, n);
  r.skip(n * 2);
  return s;
}

