/**
 * The `dcerpc` object of a `dcerpc-call` event (contract "DCE/RPC"), in a fixed key order so
 * that replay output stays byte-identical. Shared by the object builder and the NDJSON writer.
 */
import type { DcerpcCallRecord } from '../shared/records';

export const DCERPC_DATASET = 'sharewatch.dcerpc';

export function dcerpcObj(rec: DcerpcCallRecord): Record<string, unknown> {
  const d: Record<string, unknown> = { transport: rec.transport };
  if (rec.pipe !== null) d.pipe = rec.pipe;
  const iface: Record<string, unknown> = {};
  if (rec.interfaceUuid !== '') iface.uuid = rec.interfaceUuid;
  if (rec.interfaceVersion !== '') iface.version = rec.interfaceVersion;
  iface.name = rec.interfaceName;
  d.interface = iface;
  d.operation = rec.operation;
  d.opnum = rec.opnum;
  d.auth_level = rec.authLevel;
  d.encrypted = rec.encrypted;
  if (rec.returnCode !== null) d.return_code = rec.returnCode;
  if (rec.fault !== null) d.fault = rec.fault;
  const keys = Object.keys(rec.args);
  if (keys.length > 0) {
    const args: Record<string, unknown> = {};
    for (const k of keys) args[k] = rec.args[k];
    d.args = args;
  }
  return d;
}
