/**
 * winreg — MS-RRP Windows Remote Registry (338cd001-2244-31f1-aaaa-900038001003): hive opens,
 * key create/open/delete, value set/delete and hive save (the persistence and credential-dumping
 * calls of reg.py and friends). Request `key`s are relative to the input handle's key; the
 * tracker joins them (registry.ts mergeHandleArgs) into the contract's full path.
 */
import type { NdrReader } from '../ndr';
import type { Args, ArgValue, IfaceDecoders, OpDecoder } from './types';
import { handleResponse, put, req, res } from './common';

export const WINREG_UUID = '338cd001-2244-31f1-aaaa-900038001003';

/** value_data strings are cut at this many characters (contract: ≤ 1 KiB). */
export const MAX_VALUE_CHARS = 1024;

const VALUE_TYPES = [
  'REG_NONE',
  'REG_SZ',
  'REG_EXPAND_SZ',
  'REG_BINARY',
  'REG_DWORD',
  'REG_DWORD_BIG_ENDIAN',
  'REG_LINK',
  'REG_MULTI_SZ',
  'REG_RESOURCE_LIST',
  'REG_FULL_RESOURCE_DESCRIPTOR',
  'REG_RESOURCE_REQUIREMENTS_LIST',
  'REG_QWORD',
];

export function valueTypeName(t: number): string {
  return VALUE_TYPES[t] ?? `0x${t.toString(16)}`;
}

function cut(s: string): string {
  return s.length > MAX_VALUE_CHARS ? s.slice(0, MAX_VALUE_CHARS) : s;
}

/** Registry value bytes (always little-endian, whatever the NDR data representation) → value_data. */
export function valueData(type: number, d: Buffer): ArgValue | null {
  switch (type) {
    case 1:
    case 2:
    case 6: {
      const s = d.toString('utf16le', 0, Math.min(d.length, MAX_VALUE_CHARS * 2 + 2) & ~1);
      const nul = s.indexOf('\0');
      return cut(nul >= 0 ? s.slice(0, nul) : s);
    }
    case 7: {
      const s = d.toString('utf16le', 0, Math.min(d.length, MAX_VALUE_CHARS * 2) & ~1);
      const parts = s.split('\0').filter((x) => x.length > 0);
      return parts;
    }
    case 4:
      return d.length >= 4 ? d.readUInt32LE(0) : null;
    case 5:
      return d.length >= 4 ? d.readUInt32BE(0) : null;
    case 11:
      return d.length >= 8 ? d.readUInt32LE(4) * 0x100000000 + d.readUInt32LE(0) : null;
    default:
      return d.subarray(0, MAX_VALUE_CHARS / 2).toString('hex');
  }
}

function openHive(name: string, hive: string): OpDecoder {
  return {
    name,
    returns: 'win32',
    opens: 'key',
    request(r) {
      if (r.pointer()) r.u16(); // ServerName: [unique] pointer to one wchar_t, not a string
      r.u32(); // samDesired
      return req(r, { key: hive });
    },
    response: handleResponse,
  };
}

/** hKey then an RRP_UNICODE_STRING argument named `arg`. */
function keyAndString(name: string, arg: string, opens?: 'key', after?: (r: NdrReader, args: Args) => void): OpDecoder {
  return {
    name,
    returns: 'win32',
    opens,
    request(r) {
      const handle = r.contextHandle();
      const args: Args = {};
      put(args, arg, r.rpcUnicodeString() ?? (arg === 'key' ? '' : null));
      after?.(r, args);
      return req(r, args, handle);
    },
    response: opens ? handleResponse : undefined,
  };
}

export const winreg: IfaceDecoders = {
  uuid: WINREG_UUID,
  name: 'winreg',
  returns: 'win32',
  ops: {
    0: openHive('OpenClassesRoot', 'HKCR'),
    1: openHive('OpenCurrentUser', 'HKCU'),
    2: openHive('OpenLocalMachine', 'HKLM'),
    3: openHive('OpenPerformanceData', 'HKPD'),
    4: openHive('OpenUsers', 'HKU'),
    5: {
      name: 'BaseRegCloseKey',
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
    6: {
      name: 'BaseRegCreateKey',
      returns: 'win32',
      opens: 'key',
      request(r) {
        const handle = r.contextHandle();
        const args: Args = { key: r.rpcUnicodeString() ?? '' };
        r.rpcUnicodeString(); // lpClass
        r.u32(); // dwOptions
        r.u32(); // samDesired
        // lpSecurityAttributes and lpdwDisposition follow; nothing the contract needs
        return req(r, args, handle);
      },
      response(r) {
        const h = r.contextHandle();
        if (r.pointer()) r.u32(); // lpdwDisposition
        return res(r, {}, h);
      },
    },
    7: keyAndString('BaseRegDeleteKey', 'key'),
    8: keyAndString('BaseRegDeleteValue', 'value_name'),
    13: keyAndString('BaseRegLoadKey', 'key', undefined, (r, a) => put(a, 'file', r.rpcUnicodeString())),
    15: keyAndString('BaseRegOpenKey', 'key', 'key', (r) => {
      r.u32(); // dwOptions
      r.u32(); // samDesired
    }),
    17: keyAndString('BaseRegQueryValue', 'value_name'),
    19: {
      name: 'BaseRegRestoreKey',
      returns: 'win32',
      request(r) {
        const handle = r.contextHandle();
        const args: Args = {};
        put(args, 'file', r.rpcUnicodeString());
        return req(r, args, handle);
      },
    },
    20: {
      name: 'BaseRegSaveKey',
      returns: 'win32',
      request(r) {
        const handle = r.contextHandle();
        const args: Args = {};
        put(args, 'file', r.rpcUnicodeString());
        return req(r, args, handle);
      },
    },
    22: {
      name: 'BaseRegSetValue',
      returns: 'win32',
      request(r) {
        const handle = r.contextHandle();
        const args: Args = {};
        put(args, 'value_name', r.rpcUnicodeString() ?? '');
        const type = r.u32();
        args.value_type = valueTypeName(type);
        const n = r.conformantArray(1); // lpData: [in, size_is(cbData)] — a ref pointer, inline
        const data = r.bytes(n);
        const cb = r.u32();
        if (!r.err && cb !== n) r.fail('ndr-array-bounds');
        if (!r.err) {
          const v = valueData(type, data);
          if (v !== null) args.value_data = v;
        }
        return req(r, args, handle);
      },
    },
    27: openHive('OpenCurrentConfig', 'HKCC'),
    31: {
      name: 'BaseRegSaveKeyEx',
      returns: 'win32',
      request(r) {
        const handle = r.contextHandle();
        const args: Args = {};
        put(args, 'file', r.rpcUnicodeString());
        return req(r, args, handle);
      },
    },
    32: openHive('OpenPerformanceText', 'HKPT'),
    33: openHive('OpenPerformanceNlsText', 'HKPN'),
    35: keyAndString('BaseRegDeleteKeyEx', 'key'),
  },
};
