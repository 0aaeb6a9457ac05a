/**
 * efsrpc — MS-EFSR Encrypting File System Remote Protocol, on both of its interfaces:
 * df1941c5-fe89-4e79-bf10-463657acf44d over \pipe\efsrpc (Zeek: efsrpc) and
 * c681d488-d850-11d0-8c52-00c04fd90f7e over \pipe\lsarpc (Zeek: efsrpc2). PetitPotam-style
 * coercion (SW-0008) passes a UNC path (`\\attacker\share\x`) that makes the server authenticate
 * to another host: `path` is that FileName. Operations return a Win32 error (DWORD / long).
 */
import type { NdrReader } from '../ndr';
import type { IfaceDecoders, OpDecoder } from './types';
import { req } from './common';

export const EFSRPC_UUID = 'df1941c5-fe89-4e79-bf10-463657acf44d';
export const EFSRPC_LSARPC_UUID = 'c681d488-d850-11d0-8c52-00c04fd90f7e';

/** Operations whose first parameter is `[in, string] wchar_t* FileName` (ref: no referent id). */
const FILE_NAME_FIRST: ReadonlyArray<readonly [number, string]> = [
  [0, 'EfsRpcOpenFileRaw'],
  [4, 'EfsRpcEncryptFileSrv'],
  [5, 'EfsRpcDecryptFileSrv'],
  [6, 'EfsRpcQueryUsersOnFile'],
  [7, 'EfsRpcQueryRecoveryAgents'],
  [8, 'EfsRpcRemoveUsersFromFile'],
  [9, 'EfsRpcAddUsersToFile'],
  [12, 'EfsRpcFileKeyInfo'],
  [13, 'EfsRpcDuplicateEncryptionInfoFile'], // SrcFileName first
  [18, 'EfsRpcGetEncryptedFileMetadata'],
  [19, 'EfsRpcSetEncryptedFileMetadata'],
  [21, 'EfsRpcEncryptFileExSrv'],
  [22, 'EfsRpcQueryProtectors'],
];

const fileNameFirst = (name: string): OpDecoder => ({
  name,
  returns: 'win32',
  request(r) {
    return req(r, { path: r.string16() });
  },
});

/** `DWORD flags; [in, unique] EFS_RPC_BLOB* Reserved; [in, string] wchar_t* FileName` (opnums 15, 16). */
function skipReservedBlob(r: NdrReader): void {
  r.u32();
  if (r.pointer()) {
    // EFS_RPC_BLOB { DWORD cbData; [size_is(cbData)] unsigned char* bData } with its deferred bytes
    const cb = r.u32();
    if (r.pointer()) {
      const n = r.conformantArray(1);
      if (!r.err && n !== cb) r.fail('ndr-count-mismatch');
      r.skip(n);
    }
  }
}

const flagsBlobFileName = (name: string): OpDecoder => ({
  name,
  returns: 'win32',
  request(r) {
    skipReservedBlob(r);
    return req(r, { path: r.string16() });
  },
});

function ops(): IfaceDecoders['ops'] {
  const o: Record<number, OpDecoder> = {};
  for (const [opnum, name] of FILE_NAME_FIRST) o[opnum] = fileNameFirst(name);
  o[15] = flagsBlobFileName('EfsRpcAddUsersToFileEx');
  o[16] = flagsBlobFileName('EfsRpcFileKeyInfoEx');
  return o;
}

export const efsrpc: IfaceDecoders = { uuid: EFSRPC_UUID, name: 'efsrpc', returns: 'win32', ops: ops() };
export const efsrpcLsarpc: IfaceDecoders = { uuid: EFSRPC_LSARPC_UUID, name: 'efsrpc2', returns: 'win32', ops: ops() };
