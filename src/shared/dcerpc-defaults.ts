/** DCE/RPC configuration defaults (kept apart from the zod schema: a run without -c never loads zod). */

/**
 * Routine DCE/RPC operations counted but not emitted (interface name → IDL operation names), in
 * the spirit of Zeek's DCE_RPC::ignored_operations: handle closes and plain status queries.
 */
export const DEFAULT_IGNORED_OPERATIONS: Readonly<Record<string, readonly string[]>> = {
  svcctl: ['RCloseServiceHandle', 'RQueryServiceStatus'],
  winreg: ['BaseRegCloseKey', 'BaseRegGetVersion', 'BaseRegQueryInfoKey'],
  samr: ['SamrCloseHandle'],
  lsarpc: ['LsarClose'],
  spoolss: ['RpcClosePrinter'],
  epmapper: ['ept_lookup_handle_free'],
  wkssvc: ['NetrWkstaGetInfo'],
};
