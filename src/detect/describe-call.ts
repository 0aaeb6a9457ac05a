/** Pieces of the sentences of the DCE/RPC rules' alerts. */
import type { DcerpcArgValue, DcerpcCallRecord } from '../shared/records';
import { who } from './describe';

/** `10.0.0.5 (bob@CORP)` */
export function actor(rec: DcerpcCallRecord): string {
  return `${rec.flow.clientIp} (${who(rec.session)})`;
}

/** a string argument, or null when absent, empty or not a string */
export function strArg(rec: DcerpcCallRecord, name: string): string | null {
  const v: DcerpcArgValue | undefined = rec.args[name];
  return typeof v === 'string' && v !== '' ? v : null;
}

/** a command quoted in backticks, cut at 200 characters */
export function quoted(cmd: string): string {
  return '`' + (cmd.length > 200 ? cmd.slice(0, 200) + '…' : cmd) + '`';
}

/** `` (succeeded)``, `` (refused: ERROR_ACCESS_DENIED)``, `` (no answer seen)`` */
export function outcomeText(rec: DcerpcCallRecord): string {
  if (rec.outcome === 'success') return '';
  if (rec.outcome === 'unknown') return ' (no answer seen)';
  return ` (the server answered ${rec.fault ?? rec.returnCode ?? 'with a failure'})`;
}

/** ` over a sealed (encrypted) RPC stub, arguments unknown` */
export function sealedText(rec: DcerpcCallRecord): string {
  return rec.encrypted ? ', over an encrypted RPC stub (arguments unknown)' : '';
}
