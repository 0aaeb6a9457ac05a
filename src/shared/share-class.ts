/**
 * Share names and classes (contract: `smb.share_name`, `smb.share_class`).
 * Classification is case-insensitive; the name itself keeps the case as sent.
 */
import type { ShareClass } from './records';

/** `C$`, `d$`: a one-letter drive share (A–Z, either case). */
function isDriveShare(name: string): boolean {
  if (name.length !== 2 || name.charCodeAt(1) !== 0x24 /* $ */) return false;
  const c = name.charCodeAt(0) | 0x20; // ASCII lower-case
  return c >= 0x61 && c <= 0x7a;
}

/**
 * `admin`: ADMIN$, one-letter drive shares and the configured extra admin names;
 * `ipc`: IPC$; `hidden`: any other name ending in `$`; else `normal`.
 */
export function classifyShare(shareName: string, extraAdmin: readonly string[]): ShareClass {
  const lower = shareName.toLowerCase();
  if (lower === 'admin$' || isDriveShare(shareName)) return 'admin';
  for (let i = 0; i < extraAdmin.length; i++) {
    if (extraAdmin[i]!.toLowerCase() === lower) return 'admin';
  }
  if (lower === 'ipc$') return 'ipc';
  if (lower.endsWith('$')) return 'hidden';
  return 'normal';
}

const isSep = (c: number): boolean => c === 0x5c /* \ */ || c === 0x2f /* / */;

/**
 * The last component of a UNC path, case kept: `\\host\C$` → `C$`. Accepts `/` as separator,
 * trailing separators and a bare name (returned as is).
 */
export function shareNameOf(uncPath: string): string {
  let end = uncPath.length;
  while (end > 0 && isSep(uncPath.charCodeAt(end - 1))) end--;
  let start = end;
  while (start > 0 && !isSep(uncPath.charCodeAt(start - 1))) start--;
  return uncPath.slice(start, end);
}
