/** Names for DCE/RPC return codes and fault statuses, by the operation's return kind. */
import { ntStatusName } from '../../../dissectors/ntstatus';
import type { ReturnKind } from '../../../dissectors/dcerpc';

function hex(code: number): string {
  return '0x' + (code >>> 0).toString(16).padStart(8, '0');
}

/** The contract's `dcerpc.return_code`: a Win32 error, NTSTATUS or HRESULT name, else `0x…`. */
export function rpcStatusName(kind: ReturnKind, code: number): string {
  switch (kind) {
    case 'ntstatus':
      return ntStatusName(code >>> 0);
    case 'win32':
      return code === 0 ? 'ERROR_SUCCESS' : hex(code);
    case 'hresult':
      return code === 0 ? 'S_OK' : hex(code);
    default:
      return hex(code);
  }
}

/** A fault PDU's status (nca_s_* / Win32 / NTSTATUS) name, else `0x…`. */
export function faultName(status: number): string {
  return hex(status);
}
