/**
 * SMB2 message sizes as the transform header's OriginalMessageSize shows them (MS-SMB2 2.2:
 * a 64-byte header plus the command's fixed structure plus its variable part). Only the sizes
 * the inference needs; each one is checked against the lab's plaintext twins.
 */

/** TREE_CONNECT request: header + 8 fixed bytes, then the UTF-16 path */
export const TREE_CONNECT_REQUEST_BASE = 72;
/** TREE_CONNECT response (success); also a WRITE response, a READ/QUERY_INFO with 8 or 0 data bytes */
export const TREE_CONNECT_RESPONSE = 80;
/** TREE_DISCONNECT, LOGOFF and ECHO, request and response alike */
export const SMALL_MESSAGE = 68;
/** an error response (ErrorResponse, 9 bytes): failures and STATUS_PENDING interim answers */
export const ERROR_RESPONSE = 73;
/** WRITE request: header + 48 fixed bytes, then the data */
export const WRITE_REQUEST_BASE = 112;
/** READ request: header + 48 fixed bytes + 1 */
export const READ_REQUEST = 113;
/** CREATE request: header + 56 fixed bytes, then the name (an empty name is padded to 1 byte) */
export const CREATE_REQUEST_MIN = 120;
/** CREATE response: header + 88 fixed bytes, then 8-aligned create contexts */
export const CREATE_RESPONSE_BASE = 152;
/** CLOSE request / response */
export const CLOSE_REQUEST = 88;
export const CLOSE_RESPONSE = 124;
/** QUERY_INFO request without input buffer: the one even size under WRITE's that also answers 80 */
export const QUERY_INFO_REQUEST = 104;
/** shortest path `\\a\b` */
const MIN_PATH_CHARS = 5;

/** What a client request's size says it may be. */
export const enum RequestClass {
  /** TREE_DISCONNECT, LOGOFF, ECHO (or CANCEL, which gets no response) */
  Small = 0,
  /** even size with room for a path: a TREE_CONNECT if answered with 80 */
  TreeConnect = 1,
  /** a WRITE (needs an open file) */
  Write = 2,
  Close = 3,
  /** anything else: CREATE, READ, QUERY_*, IOCTL, … */
  Other = 4,
}

/**
 * Classify a client request by its size and the number of files the session is believed to have
 * open. A WRITE needs an open file, so without one an even size answered by 80 is a TREE_CONNECT;
 * with one, sizes from WRITE's base up are taken as WRITEs (a tree connect whose path has 20 or
 * more characters, sent while a file is open, is missed: a limit the README states).
 */
export function classifyRequest(size: number, openFiles: number): RequestClass {
  if (size === SMALL_MESSAGE) return RequestClass.Small;
  if (size === CLOSE_REQUEST) return RequestClass.Close;
  // READ is 113 (112 + one pad byte): a 1-byte WRITE looks the same and is taken for a READ
  if (size === READ_REQUEST) return RequestClass.Other;
  if (openFiles > 0 && size >= WRITE_REQUEST_BASE) return RequestClass.Write;
  if ((size & 1) === 0 && size >= TREE_CONNECT_REQUEST_BASE + 2 * MIN_PATH_CHARS) return RequestClass.TreeConnect;
  return RequestClass.Other;
}

/** Characters of the UNC path a TREE_CONNECT request of this size carries. */
export function treeConnectPathChars(size: number): number {
  return (size - TREE_CONNECT_REQUEST_BASE) >>> 1;
}

/** A CREATE that succeeded: a create-sized request answered by a create-sized response. */
export function isCreateSuccess(requestSize: number, responseSize: number): boolean {
  return (
    requestSize >= CREATE_REQUEST_MIN &&
    responseSize >= CREATE_RESPONSE_BASE &&
    ((responseSize - CREATE_RESPONSE_BASE) & 7) === 0
  );
}
