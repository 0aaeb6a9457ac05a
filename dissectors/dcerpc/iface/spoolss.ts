/**
 * spoolss — MS-RPRN Print System Remote Protocol (12345678-1234-abcd-ef00-0123456789ab).
 * The "printer bug" (SW-0008): RpcRemoteFindFirstPrinterChangeNotification(Ex) asks the print
 * server to call back `pszLocalMachine`, a UNC name the client chooses → `path`. PrintNightmare
 * (SW-0014): RpcAddPrinterDriver(Ex) with driver/data/config files on a UNC path. Operations
 * return a Win32 error (DWORD).
 */
import type { NdrReader } from '../ndr';
import type { Args, IfaceDecoders, OpDecoder } from './types';
import { put, req } from './common';

export const SPOOLSS_UUID = '12345678-1234-abcd-ef00-0123456789ab';

/**
 * RPC_DRIVER_INFO_n members in order: 'd' DWORD, 'p' pointer (a [string] or [size_is] referent,
 * deferred), 'f' FILETIME, 'q' DWORDLONG. Every level starts { cVersion; pName; pEnvironment;
 * pDriverPath; pDataFile; pConfigFile; … }, so the first five deferred referents are those five
 * strings, whatever follows.
 */
const DRIVER_INFO: Record<number, string> = {
  2: 'dppppp',
  3: 'dppppppppdp',
  4: 'dppppppppdpdp',
  6: 'dppppppppdpdpfqpppp',
  8: 'dppppppppdpdpfqppppppdppddpfq',
};

/** DRIVER_CONTAINER { Level; [switch_is(Level)] union { RPC_DRIVER_INFO_n* } } → file args. */
function driverContainer(r: NdrReader, args: Args): void {
  r.alignStruct();
  const level = r.u32();
  const arm = r.u32(); // the union's discriminant, marshalled again
  if (!r.err && arm !== level) return r.fail('ndr-union-discriminant');
  const shape = DRIVER_INFO[level];
  if (!shape) return; // level 1 (a bare name) and unknown levels: nothing to report
  args.level = level;
  if (!r.pointer()) return;
  if (shape.includes('q')) r.align(8);
  else r.alignStruct();
  const ptrs: number[] = [];
  for (const f of shape) {
    if (f === 'd') r.u32();
    else if (f === 'p') ptrs.push(r.pointer());
    else if (f === 'f') { r.u32(); r.u32(); }
    else r.u64();
  }
  const keys = ['driver_name', 'environment', 'driver_path', 'data_file', 'config_file'];
  for (let i = 0; i < 5 && !r.err; i++) {
    if (!ptrs[i]) continue;
    const s = r.string16();
    if (i !== 1) args[keys[i]!] = s;
  }
}

function addPrinterDriver(name: string): OpDecoder {
  return {
    name,
    returns: 'win32',
    request(r) {
      const args: Args = {};
      put(args, 'server', r.uniqueString16()); // pName
      driverContainer(r, args);
      return req(r, args);
    },
  };
}

function findFirstChange(name: string): OpDecoder {
  return {
    name,
    returns: 'win32',
    request(r) {
      const handle = r.contextHandle(); // hPrinter
      r.u32(); // fdwFlags
      r.u32(); // fdwOptions
      const args: Args = {};
      put(args, 'path', r.uniqueString16()); // pszLocalMachine: the host the server will call
      r.u32(); // dwPrinterLocal
      return req(r, args, handle);
    },
  };
}

function openPrinter(name: string): OpDecoder {
  return {
    name,
    returns: 'win32',
    opens: 'other',
    request(r) {
      const args: Args = {};
      put(args, 'printer', r.uniqueString16()); // pPrinterName; the rest (datatype, devmode, client info) is not reported
      return req(r, args);
    },
    response(r) {
      const h = r.contextHandle();
      const rc = r.u32();
      if (r.err) return r.err;
      return { ok: true, args: {}, returnCode: rc, handle: h };
    },
  };
}

export const spoolss: IfaceDecoders = {
  uuid: SPOOLSS_UUID,
  name: 'spoolss',
  returns: 'win32',
  ops: {
    1: openPrinter('RpcOpenPrinter'),
    69: openPrinter('RpcOpenPrinterEx'),
    9: addPrinterDriver('RpcAddPrinterDriver'),
    89: addPrinterDriver('RpcAddPrinterDriverEx'),
    62: findFirstChange('RpcRemoteFindFirstPrinterChangeNotification'),
    65: findFirstChange('RpcRemoteFindFirstPrinterChangeNotificationEx'),
  },
};
