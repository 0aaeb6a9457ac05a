/**
 * wkssvc — MS-WKST Workstation Service Remote Protocol (6bffd098-a112-3610-9833-46c3f87e345a).
 * NetrWkstaUserEnum lists the users logged on to a host (BloodHound/CrackMapExec session hunting).
 * NET_API_STATUS (Win32) returns.
 */
import type { IfaceDecoders } from './types';
import { req } from './common';

export const WKSSVC_UUID = '6bffd098-a112-3610-9833-46c3f87e345a';

export const wkssvc: IfaceDecoders = {
  uuid: WKSSVC_UUID,
  name: 'wkssvc',
  returns: 'win32',
  ops: {
    2: {
      name: 'NetrWkstaUserEnum',
      returns: 'win32',
      request(r) {
        r.uniqueString16(); // ServerName
        // [in, out] LPWKSTA_USER_ENUM_STRUCT UserInfo { Level; union … }
        r.alignStruct();
        return req(r, { level: r.u32() });
      },
    },
  },
};
