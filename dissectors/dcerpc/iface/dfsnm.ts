/**
 * dfsnm — MS-DFSNM DFS Namespace Management (4fc742e0-4a10-11cf-8273-00aa004ae673; Zeek: netdfs).
 * DFSCoerce (SW-0008) calls NetrDfsAddStdRoot / NetrDfsRemoveStdRoot with ServerName set to the
 * host the server should authenticate to: `path` = `\\ServerName\RootShare`. NET_API_STATUS
 * (Win32) returns.
 */
import type { NdrReader } from '../ndr';
import type { IfaceDecoders, OpDecoder } from './types';
import { req } from './common';

export const DFSNM_UUID = '4fc742e0-4a10-11cf-8273-00aa004ae673';

/** `[in, string] WCHAR* ServerName, [in, string] WCHAR* RootShare` (ref pointers). */
function stdRootPath(r: NdrReader): string {
  const server = r.string16();
  const share = r.string16();
  return `\\\\${server.replace(/^\\+/, '')}\\${share}`;
}

const stdRoot = (name: string, comment: boolean): OpDecoder => ({
  name,
  returns: 'win32',
  request(r) {
    const path = stdRootPath(r);
    if (comment) r.uniqueString16(); // Comment
    r.u32(); // ApiFlags
    return req(r, { path });
  },
});

export const dfsnm: IfaceDecoders = {
  uuid: DFSNM_UUID,
  name: 'netdfs',
  returns: 'win32',
  ops: {
    12: stdRoot('NetrDfsAddStdRoot', true),
    13: stdRoot('NetrDfsRemoveStdRoot', false),
  },
};
