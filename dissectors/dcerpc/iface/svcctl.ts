/**
 * svcctl — MS-SCMR Service Control Manager Remote Protocol (367abb81-9844-35f1-ad32-98f038001003).
 * The calls that create, change, start, stop and delete services (what psexec, smbexec and
 * services.py do), with the handles that name the SCM database and the service.
 */
import type { NdrReader } from '../ndr';
import type { Args, IfaceDecoders, OpDecoder } from './types';
import { handleResponse, put, req, res, skipUniqueBytes, uniqueU32 } from './common';

export const SVCCTL_UUID = '367abb81-9844-35f1-ad32-98f038001003';

const START_TYPES = ['boot', 'system', 'auto', 'demand', 'disabled'];
const SERVICE_NO_CHANGE = 0xffffffff;

/** dwStartType → the contract's name; unknown values as numbers. */
export function startTypeName(v: number): string | number {
  return START_TYPES[v] ?? v;
}

const TYPE_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x1, 'kernel_driver'],
  [0x2, 'file_system_driver'],
  [0x10, 'win32_own_process'],
  [0x20, 'win32_share_process'],
  [0x50, 'user_own_process'],
  [0x60, 'user_share_process'],
  [0x100, 'interactive_process'],
];

/** dwServiceType → `win32_own_process|interactive_process`, or `0x…` when no bit is known. */
export function serviceTypeName(v: number): string {
  const out: string[] = [];
  let rest = v;
  // the user-service values include the win32 bits: test the composite ones first
  for (const [bit, name] of [...TYPE_BITS].sort((a, b) => b[0] - a[0])) {
    if ((rest & bit) === bit && bit !== 0) {
      out.push(name);
      rest &= ~bit;
    }
  }
  if (rest) out.push(`0x${rest.toString(16)}`);
  return out.length ? out.reverse().join('|') : `0x${v.toString(16)}`;
}

type Str = (r: NdrReader) => string;
type UStr = (r: NdrReader) => string | null;
const W: [Str, UStr] = [(r) => r.string16(), (r) => r.uniqueString16()];
const A: [Str, UStr] = [(r) => r.string8(), (r) => r.uniqueString8()];

function createService(name: string, [str, ustr]: [Str, UStr], wowType = false): OpDecoder {
  return {
    name,
    returns: 'win32',
    opens: 'service',
    request(r) {
      const handle = r.contextHandle();
      const args: Args = {};
      put(args, 'service_name', str(r)); // [in, string] ref pointer: no referent id on the wire
      put(args, 'display_name', ustr(r));
      r.u32(); // dwDesiredAccess
      args.service_type = serviceTypeName(r.u32());
      args.start_type = startTypeName(r.u32());
      r.u32(); // dwErrorControl
      put(args, 'binary_path', str(r));
      ustr(r); // lpLoadOrderGroup
      uniqueU32(r); // lpdwTagId
      skipUniqueBytes(r); // lpDependencies
      r.u32(); // dwDependSize
      put(args, 'account', ustr(r));
      skipUniqueBytes(r); // lpPassword (encrypted)
      r.u32(); // dwPwSize
      if (wowType) r.u16(); // dwServiceWowType
      return req(r, args, handle);
    },
    response(r) {
      uniqueU32(r); // lpdwTagId
      const h = r.contextHandle();
      return res(r, {}, h);
    },
  };
}

function changeServiceConfig(name: string, [, ustr]: [Str, UStr]): OpDecoder {
  return {
    name,
    returns: 'win32',
    request(r) {
      const handle = r.contextHandle();
      const args: Args = {};
      const type = r.u32();
      const start = r.u32();
      r.u32(); // dwErrorControl
      if (type !== SERVICE_NO_CHANGE) args.service_type = serviceTypeName(type);
      if (start !== SERVICE_NO_CHANGE) args.start_type = startTypeName(start);
      put(args, 'binary_path', ustr(r));
      ustr(r); // lpLoadOrderGroup
      uniqueU32(r); // lpdwTagId
      skipUniqueBytes(r); // lpDependencies
      r.u32();
      put(args, 'account', ustr(r));
      skipUniqueBytes(r); // lpPassword
      r.u32();
      put(args, 'display_name', ustr(r));
      return req(r, args, handle);
    },
    response(r) {
      uniqueU32(r);
      return res(r, {});
    },
  };
}

function openScManager(name: string, [, ustr]: [Str, UStr], machine = true): OpDecoder {
  return {
    name,
    returns: 'win32',
    opens: 'scm',
    request(r) {
      if (machine) ustr(r); // lpMachineName (ROpenSCManager2 has a binding handle instead: not on the wire)
      ustr(r); // lpDatabaseName
      r.u32(); // dwDesiredAccess
      return req(r, {});
    },
    response: handleResponse,
  };
}

function openService(name: string, [str]: [Str, UStr]): OpDecoder {
  return {
    name,
    returns: 'win32',
    opens: 'service',
    request(r) {
      const handle = r.contextHandle();
      const args: Args = {};
      put(args, 'service_name', str(r));
      r.u32(); // dwDesiredAccess
      return req(r, args, handle);
    },
    response: handleResponse,
  };
}

/** argv of RStartService: [unique, size_is(argc)] array of structs holding one [string] pointer. */
function startService(name: string, [str]: [Str, UStr]): OpDecoder {
  return {
    name,
    returns: 'win32',
    request(r) {
      const handle = r.contextHandle();
      const argc = r.u32();
      const args: Args = {};
      if (r.pointer()) {
        const n = r.conformantArray(r.ptrSize);
        if (n !== argc) r.fail('ndr-array-bounds');
        // ids first (embedded pointers), then the deferred strings in order
        const ids: number[] = [];
        for (let i = 0; i < n && !r.err; i++) ids.push(r.pointer());
        const parts: string[] = [];
        for (const id of ids) if (id !== 0 && !r.err) parts.push(str(r));
        const present = parts.length;
        if (present) args.arguments = parts.join(' ');
      }
      return req(r, args, handle);
    },
    response(r) {
      return res(r, {});
    },
  };
}

const handleOnly = (name: string, statusWords = 0): OpDecoder => ({
  name,
  returns: 'win32',
  request(r) {
    const handle = r.contextHandle();
    return req(r, {}, handle);
  },
  response(r) {
    for (let i = 0; i < statusWords; i++) r.u32();
    return res(r, {});
  },
});

export const svcctl: IfaceDecoders = {
  uuid: SVCCTL_UUID,
  name: 'svcctl',
  returns: 'win32',
  ops: {
    0: {
      name: 'RCloseServiceHandle',
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
    1: {
      name: 'RControlService',
      returns: 'win32',
      request(r) {
        const handle = r.contextHandle();
        r.u32(); // dwControl
        return req(r, {}, handle);
      },
      response(r) {
        for (let i = 0; i < 7; i++) r.u32(); // SERVICE_STATUS
        return res(r, {});
      },
    },
    2: handleOnly('RDeleteService'),
    6: handleOnly('RQueryServiceStatus', 7),
    11: changeServiceConfig('RChangeServiceConfigW', W),
    12: createService('RCreateServiceW', W),
    15: openScManager('ROpenSCManagerW', W),
    16: openService('ROpenServiceW', W),
    19: startService('RStartServiceW', W),
    23: changeServiceConfig('RChangeServiceConfigA', A),
    24: createService('RCreateServiceA', A),
    27: openScManager('ROpenSCManagerA', A),
    28: openService('ROpenServiceA', A),
    31: startService('RStartServiceA', A),
    44: createService('RCreateServiceWOW64A', A),
    45: createService('RCreateServiceWOW64W', W),
    60: createService('RCreateWowService', W, true),
    64: openScManager('ROpenSCManager2', W, false),
  },
};
