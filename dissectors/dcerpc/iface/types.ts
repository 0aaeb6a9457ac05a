/**
 * The shape of an interface's argument decoders. A decoder reads one call's stub (request or
 * response) with an NdrReader positioned at the stub start, and returns the contract's
 * `dcerpc.args` (snake_case names exactly as in contract.md's DCE/RPC table) or a typed error.
 *
 * Handles: a request decoder puts the input context handle (40 hex digits) in `handle`; a
 * response decoder of an Open/Create call puts the returned handle in `handle`. The tracker maps
 * returned handle → the object the call named (see `objectArgs` in registry.ts), and fills a later
 * call's args from its input handle's object (`mergeHandleArgs`).
 */
import type { DissectError } from '../../result';
import type { NdrReader } from '../ndr';

export type ArgValue = string | number | boolean | readonly string[];
export type Args = Record<string, ArgValue>;

/** How the operation's return value is named: Win32 error, NTSTATUS, HRESULT, or no status. */
export type ReturnKind = 'win32' | 'ntstatus' | 'hresult' | 'none';

export interface DecodedRequest {
  readonly ok: true;
  readonly args: Args;
  /** input context handle, hex */
  readonly handle?: string;
}

export interface DecodedResponse {
  readonly ok: true;
  readonly args: Args;
  /** the operation's status (uint32), null when the operation returns none */
  readonly returnCode: number | null;
  /** context handle returned by an Open/Create call, hex */
  readonly handle?: string;
}

export interface OpDecoder {
  /** the IDL name, e.g. `RCreateServiceW` */
  readonly name: string;
  readonly returns: ReturnKind;
  /**
   * When set, the handle this call returns names an object: the tracker remembers
   * returned handle → `objectArgs(input handle's object, this request's args)`.
   * 'scm'/'service'/'key'/'policy'/'other' say what kind (only informative).
   */
  readonly opens?: 'scm' | 'service' | 'key' | 'policy' | 'other';
  request?(r: NdrReader): DecodedRequest | DissectError;
  response?(r: NdrReader): DecodedResponse | DissectError;
}

/** One interface's decoders, by opnum (a file in iface/ exports one of these). */
export interface IfaceDecoders {
  /** lower-case abstract syntax UUID */
  readonly uuid: string;
  /** Zeek's dce_rpc.log name (used when names.ts does not know the UUID) */
  readonly name: string;
  /** default return kind of operations without a decoder here */
  readonly returns: ReturnKind;
  readonly ops: Readonly<Record<number, OpDecoder>>;
}

/** What names.ts provides per interface (names only). */
export interface InterfaceNames {
  readonly uuid: string;
  /** Zeek's dce_rpc.log name, e.g. `svcctl` */
  readonly name: string;
  /** the default kind of the operations' return value */
  readonly returns: ReturnKind;
  /** opnum → IDL operation name */
  readonly ops: Readonly<Record<number, string>>;
}

/** lookupInterface's answer. */
export interface InterfaceInfo {
  readonly uuid: string;
  readonly name: string;
  /** every known opnum; operations without an argument decoder still decode the return code */
  readonly ops: ReadonlyMap<number, OpDecoder>;
}
