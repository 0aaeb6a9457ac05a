/** Records returned by dissectors/smb1*.ts (MS-CIFS, MS-SMB). */

export const SMB1_CLOSE = 0x04;
export const SMB1_TRANSACTION = 0x25;
export const SMB1_TRANSACTION2 = 0x32;
export const SMB1_READ_ANDX = 0x2e;
export const SMB1_WRITE_ANDX = 0x2f;
export const SMB1_TREE_DISCONNECT = 0x71;
export const SMB1_NEGOTIATE = 0x72;
export const SMB1_SESSION_SETUP_ANDX = 0x73;
export const SMB1_LOGOFF_ANDX = 0x74;
export const SMB1_TREE_CONNECT_ANDX = 0x75;
export const SMB1_NT_TRANSACT = 0xa0;
export const SMB1_NT_CREATE_ANDX = 0xa2;
export const SMB1_NO_ANDX = 0xff;

/** The 32-byte SMB1 header. Reset in place by parseSmb1Header. */
export interface Smb1Header {
  offset: number;
  command: number;
  /** NT status when flags2 has NT_STATUS (0x4000), else built from DOS class/code */
  status: number;
  /** true when the status field is NT style */
  ntStatus: boolean;
  /** DOS error class and code (when !ntStatus) */
  dosClass: number;
  dosCode: number;
  flags: number;
  flags2: number;
  isResponse: boolean;
  /** flags2 UNICODE (0x8000): strings are UTF-16LE */
  unicode: boolean;
  tid: number;
  pid: number;
  uid: number;
  mid: number;
}

/** One command of an AndX chain (or the only command of a non-AndX message). */
export interface Smb1Command {
  command: number;
  /** offset of WordCount byte relative to the message start */
  wordsOffset: number;
  wordCount: number;
  /** offset of the parameter words (after WordCount) */
  paramsOffset: number;
  byteCount: number;
  /** offset of the data bytes (after ByteCount) */
  bytesOffset: number;
}

export interface Smb1NegotiateRequest {
  dialects: string[];
}

export interface Smb1NegotiateResponse {
  dialectIndex: number;
  securityMode: number;
  capabilities: number;
  extendedSecurity: boolean;
}

export interface Smb1SessionSetupRequest {
  /** extended security: the security blob (SPNEGO/NTLMSSP); else null */
  securityBlob: Buffer | null;
  /** plain (non-extended) logon: account and domain as sent */
  account: string | null;
  domain: string | null;
  nativeOs: string | null;
}

export interface Smb1SessionSetupResponse {
  /** Action: bit 0 = logged on as guest */
  action: number;
  securityBlob: Buffer | null;
}

export interface Smb1TreeConnectRequest {
  /** UNC path as sent */
  path: string;
  /** service string: "A:", "IPC", "LPT1:", "COMM", "?????" */
  service: string;
}

export interface Smb1TreeConnectResponse {
  /** service string from the response: "A:" disk, "IPC" pipe, "LPT1:" print */
  service: string;
}

export interface Smb1NtCreateRequest {
  name: string;
  desiredAccess: number;
  createDisposition: number;
  createOptions: number;
  openedForWrite: boolean;
  deleteIntent: boolean;
}

export interface Smb1NtCreateResponse {
  fid: number;
  createAction: number;
  /** FILETIMEs as Zeek converts them (see smb2-file filetimeSeconds); 0 when the words are cut */
  creationTime: number;
  lastAccessTime: number;
  lastWriteTime: number;
  changeTime: number;
  endOfFile: number | null;
}

export interface Smb1WriteRequest {
  fid: number;
  offset: number;
  dataLength: number;
  dataOffset: number;
  head: Buffer;
}

export interface Smb1ReadResponse {
  dataLength: number;
  dataOffset: number;
}

/** CLOSE request (added by the SMB1 dissector: the FID being closed). */
export interface Smb1Close {
  fid: number;
}
