/**
 * drsuapi — MS-DRSR Directory Replication Service (e3514235-4b06-11d1-ab04-00c04fc2dcd2).
 * DCSync (SW-0009) is DRSGetNCChanges from a host that is no domain controller: the operation
 * itself is the evidence, so no arguments are decoded — only the DRS_HANDLE that links
 * DRSBind → DRSGetNCChanges → DRSUnbind. Operations return a Win32 error (ULONG).
 */
import type { IfaceDecoders, OpDecoder } from './types';
import { req, res } from './common';

export const DRSUAPI_UUID = 'e3514235-4b06-11d1-ab04-00c04fc2dcd2';

/** A request whose first parameter is the DRS_HANDLE; the rest (big unions) is not decoded. */
const onHandle = (name: string): OpDecoder => ({
  name,
  returns: 'win32',
  request(r) {
    const handle = r.contextHandle();
    return req(r, {}, handle);
  },
});

export const drsuapi: IfaceDecoders = {
  uuid: DRSUAPI_UUID,
  name: 'drsuapi',
  returns: 'win32',
  ops: {
    0: {
      name: 'DRSBind',
      returns: 'win32',
      opens: 'other',
      response(r) {
        // [out] DRS_EXTENSIONS** ppextServer: unique pointer to a conformant struct { cb; rgb[cb] }
        if (r.pointer()) {
          const max = r.count();
          const cb = r.u32();
          if (!r.err && cb !== max) r.fail('ndr-count-mismatch');
          r.bytes(cb);
        }
        const h = r.contextHandle(); // phDrs
        return res(r, {}, h);
      },
    },
    1: {
      name: 'DRSUnbind',
      returns: 'win32',
      request(r) {
        const handle = r.contextHandle();
        return req(r, {}, handle);
      },
      response(r) {
        r.contextHandle();
        return res(r, {});
      },
    },
    3: onHandle('DRSGetNCChanges'),
  },
};
