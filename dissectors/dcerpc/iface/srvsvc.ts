/**
 * srvsvc — MS-SRVS Server Service Remote Protocol (4b324fc8-1670-01d3-1278-5a47bf6ee188).
 * Share and session enumeration (reconnaissance: `net view`, CrackMapExec --shares, smbmap),
 * share creation and deletion. NET_API_STATUS (Win32) returns.
 */
import type { NdrReader } from '../ndr';
import type { Args, IfaceDecoders, OpDecoder } from './types';
import { put, req } from './common';
import { resTail } from './ms-ndr';

export const SRVSVC_UUID = '4b324fc8-1670-01d3-1278-5a47bf6ee188';

/**
 * SHARE_INFO_n fields in order: 's' [string] wchar_t* (deferred), 'd' DWORD, 'b' the
 * [size_is(reserved)] security descriptor bytes (deferred). Named strings: netname, path.
 */
const SHARE_INFO: Record<number, string> = {
  0: 'N',
  1: 'Nds',
  2: 'NdsdddPs',
  502: 'NdsdddPsdb',
  503: 'NdsdddPssdb',
};

/** A unique pointer to SHARE_INFO_<level> and its deferred referents → share, path. */
function shareInfo(r: NdrReader, level: number, args: Args): void {
  const shape = SHARE_INFO[level];
  if (!shape || !r.pointer()) return;
  const ptrs: number[] = [];
  let reserved = 0;
  for (const f of shape) {
    if (f === 'd') reserved = r.u32();
    else ptrs.push(r.pointer());
  }
  let i = 0;
  for (const f of shape) {
    if (f === 'd') continue;
    const id = ptrs[i++];
    if (!id || r.err) continue;
    if (f === 'b') {
      const n = r.conformantArray(1);
      if (!r.err && n !== reserved) r.fail('ndr-count-mismatch');
      r.skip(n);
      continue;
    }
    const s = r.string16();
    if (f === 'N') args.share = s;
    else if (f === 'P') args.path = s;
  }
}

/** `[in, string, unique] SRVSVC_HANDLE ServerName` opens every request. */
function serverName(r: NdrReader): void {
  r.uniqueString16();
}

/** Requests `ServerName, …, InfoStruct { Level; union … }`: only the level is reported. */
const enumLevel = (name: string, uniqueStrings: number): OpDecoder => ({
  name,
  returns: 'win32',
  request(r) {
    serverName(r);
    for (let i = 0; i < uniqueStrings; i++) r.uniqueString16();
    r.alignStruct(); // the enum struct holds pointers (8-aligned in NDR64)
    return req(r, { level: r.u32() });
  },
});

export const srvsvc: IfaceDecoders = {
  uuid: SRVSVC_UUID,
  name: 'srvsvc',
  returns: 'win32',
  ops: {
    12: enumLevel('NetrSessionEnum', 2), // ClientName, UserName
    15: enumLevel('NetrShareEnum', 0),
    14: {
      name: 'NetrShareAdd',
      returns: 'win32',
      request(r) {
        serverName(r);
        const level = r.u32();
        const arm = r.u32(); // LPSHARE_INFO: the union's discriminant
        if (!r.err && arm !== level) r.fail('ndr-union-discriminant');
        const args: Args = { level };
        shareInfo(r, level, args);
        return req(r, args);
      },
    },
    16: {
      name: 'NetrShareGetInfo',
      returns: 'win32',
      request(r) {
        serverName(r);
        const args: Args = { share: r.string16() }; // NetName
        args.level = r.u32();
        return req(r, args);
      },
      response(r) {
        const level = r.u32(); // the union's discriminant
        const args: Args = {};
        shareInfo(r, level, args);
        if (args.share !== undefined) delete args.share; // the request named it already
        return resTail(r, args);
      },
    },
    18: {
      name: 'NetrShareDel',
      returns: 'win32',
      request(r) {
        serverName(r);
        const args: Args = {};
        put(args, 'share', r.string16()); // NetName
        r.u32(); // Reserved
        return req(r, args);
      },
    },
    21: {
      name: 'NetrServerGetInfo',
      returns: 'win32',
      request(r) {
        serverName(r);
        return req(r, { level: r.u32() });
      },
    },
  },
};
