/**
 * Records returned by dissectors/smb2*.ts (MS-SMB2). Plain data; strings are decoded only by
 * the lifecycle-command parsers, never for every message. Buffers are views into the message.
 * 64-bit ids are split into two uint32 halves (hi, lo) so the hot path stays in small numbers.
 */

export const SMB2_NEGOTIATE = 0x00;
export const SMB2_SESSION_SETUP = 0x01;
export const SMB2_LOGOFF = 0x02;
export const SMB2_TREE_CONNECT = 0x03;
export const SMB2_TREE_DISCONNECT = 0x04;
export const SMB2_CREATE = 0x05;
export const SMB2_CLOSE = 0x06;
export const SMB2_FLUSH = 0x07;
export const SMB2_READ = 0x08;
export const SMB2_WRITE = 0x09;
export const SMB2_LOCK = 0x0a;
export const SMB2_IOCTL = 0x0b;
export const SMB2_CANCEL = 0x0c;
export const SMB2_ECHO = 0x0d;
export const SMB2_QUERY_DIRECTORY = 0x0e;
export const SMB2_CHANGE_NOTIFY = 0x0f;
export const SMB2_QUERY_INFO = 0x10;
export const SMB2_SET_INFO = 0x11;
export const SMB2_OPLOCK_BREAK = 0x12;

/** The 64-byte SMB2 header (sync or async form). Reset in place by parseSmb2Header. */
export interface Smb2Header {
  /** offset of the header inside the buffer it was parsed from */
  offset: number;
  creditCharge: number;
  /** NT status (uint32) */
  status: number;
  command: number;
  credits: number;
  /** raw Flags field */
  flags: number;
  isResponse: boolean;
  isAsync: boolean;
  /** SMB2_FLAGS_RELATED_OPERATIONS: ids inherit from the previous message of the compound */
  isRelated: boolean;
  isSigned: boolean;
  /** NextCommand: offset of the next header relative to this one; 0 = last */
  nextCommand: number;
  messageIdHi: number;
  messageIdLo: number;
  /** async form only (else 0) */
  asyncIdHi: number;
  asyncIdLo: number;
  /** sync form only (async form: 0) */
  treeId: number;
  sessionIdHi: number;
  sessionIdLo: number;
}

export interface Smb2NegotiateRequest {
  dialects: number[];
  securityMode: number;
  capabilities: number;
  clientGuid: Buffer;
  /** 3.1.1 negotiate contexts, when present */
  contexts: Smb2NegotiateContexts | null;
}

export interface Smb2NegotiateResponse {
  dialect: number;
  securityMode: number;
  capabilities: number;
  serverGuid: Buffer;
  securityBuffer: Buffer;
  contexts: Smb2NegotiateContexts | null;
}

export interface Smb2NegotiateContexts {
  /** hash algorithm ids from PREAUTH_INTEGRITY_CAPABILITIES */
  preauthHashes: number[];
  /** cipher ids from ENCRYPTION_CAPABILITIES (1 AES-128-CCM, 2 AES-128-GCM, 3 AES-256-CCM, 4 AES-256-GCM) */
  ciphers: number[];
  /** algorithm ids from COMPRESSION_CAPABILITIES */
  compression: number[];
  /** algorithm ids from SIGNING_CAPABILITIES */
  signing: number[];
  /** context types seen, in order (including unknown ones) */
  types: number[];
}

export interface Smb2SessionSetupRequest {
  flags: number;
  securityMode: number;
  capabilities: number;
  previousSessionIdHi: number;
  previousSessionIdLo: number;
  securityBuffer: Buffer;
}

export interface Smb2SessionSetupResponse {
  /** SessionFlags: 0x1 IS_GUEST, 0x2 IS_NULL, 0x4 ENCRYPT_DATA */
  sessionFlags: number;
  securityBuffer: Buffer;
}

export interface Smb2TreeConnectRequest {
  flags: number;
  /** UNC path as sent, e.g. \\server\C$ (decoded from UTF-16LE) */
  path: string;
}

export interface Smb2TreeConnectResponse {
  /** 1 disk, 2 pipe, 3 print */
  shareType: number;
  shareFlags: number;
  capabilities: number;
  maximalAccess: number;
}

export interface Smb2CreateRequest {
  desiredAccess: number;
  fileAttributes: number;
  shareAccess: number;
  createDisposition: number;
  createOptions: number;
  /** file name relative to the share (UTF-16LE decoded) */
  name: string;
  /** desired access includes a write right (FILE_WRITE_DATA, FILE_APPEND_DATA, GENERIC_WRITE, GENERIC_ALL, MAXIMUM_ALLOWED excluded) */
  openedForWrite: boolean;
  /** DELETE access or FILE_DELETE_ON_CLOSE */
  deleteIntent: boolean;
}

export interface Smb2CreateResponse {
  /** 0 superseded, 1 opened, 2 created, 3 overwritten */
  createAction: number;
  /** 16 bytes: persistent + volatile */
  fileId: Buffer;
  endOfFile: number;
  /** FILETIMEs (100 ns since 1601) as Zeek converts them: (ft / 1e7) - 11644473600, a double */
  creationTime: number;
  lastAccessTime: number;
  lastWriteTime: number;
  changeTime: number;
}

/** SET_INFO request (2.2.39) for the file information classes that delete or rename. */
export interface Smb2SetInfoRequest {
  /** 1 SMB2_0_INFO_FILE */
  infoType: number;
  /** 13 FileDispositionInformation, 64 FileDispositionInformationEx, 10 FileRenameInformation */
  fileInfoClass: number;
  fileId: Buffer;
  /** disposition classes: the delete flag is set */
  deletePending: boolean;
  /** FileRenameInformation: the new name (null for other classes or when out of bounds) */
  newName: string | null;
}

export interface Smb2FileIdOnly {
  fileId: Buffer;
}

export interface Smb2ReadRequest {
  length: number;
  offset: number;
  fileId: Buffer;
}

export interface Smb2ReadResponse {
  dataOffset: number;
  dataLength: number;
  /** the first bytes of the data that are present in the message (maybe fewer than dataLength) */
  head: Buffer;
}

export interface Smb2WriteRequest {
  dataOffset: number;
  dataLength: number;
  offset: number;
  fileId: Buffer;
  head: Buffer;
}

export interface Smb2WriteResponse {
  count: number;
}

export interface Smb2IoctlRequest {
  ctlCode: number;
  fileId: Buffer;
  /** offset of the input buffer from the start of the SMB2 header */
  inputOffset: number;
  inputCount: number;
}

/** IOCTL response (MS-SMB2 2.2.32): where the output buffer sits. */
export interface Smb2IoctlResponse {
  ctlCode: number;
  fileId: Buffer;
  /** offset of the output buffer from the start of the SMB2 header */
  outputOffset: number;
  outputCount: number;
}

/** SMB 3.x TRANSFORM header (0xFD 'SMB'), 52 bytes. */
export interface Smb2TransformHeader {
  signature: Buffer;
  nonce: Buffer;
  originalMessageSize: number;
  /** Flags / EncryptionAlgorithm field */
  flags: number;
  sessionIdHi: number;
  sessionIdLo: number;
}

/** SMB 3.1.1 COMPRESSION_TRANSFORM_HEADER (0xFC 'SMB'). */
export interface Smb2CompressionHeader {
  originalCompressedSegmentSize: number;
  compressionAlgorithm: number;
  flags: number;
  /** Offset (unchained) or Length (chained) field */
  offsetOrLength: number;
}
