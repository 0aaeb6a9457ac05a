/**
 * UUID → interface: names (names.ts) joined with the argument decoders of iface/*.ts, plus the
 * pure helpers the tracker uses to name objects behind context handles.
 */
import type { Args, IfaceDecoders, InterfaceInfo, OpDecoder, ReturnKind } from './iface/types';
import { INTERFACE_NAMES } from './names';
import { DECODER_SETS } from './iface/all';

const BY_UUID = new Map<string, InterfaceInfo>();

function build(): void {
  const decoders = new Map<string, IfaceDecoders>();
  for (const d of DECODER_SETS) decoders.set(d.uuid, d);
  const uuids = new Set<string>([...INTERFACE_NAMES.map((n) => n.uuid), ...decoders.keys()]);
  for (const uuid of uuids) {
    const names = INTERFACE_NAMES.find((n) => n.uuid === uuid);
    const dec = decoders.get(uuid);
    const returns: ReturnKind = names?.returns ?? dec?.returns ?? 'none';
    const ops = new Map<number, OpDecoder>();
    if (names) for (const [k, name] of Object.entries(names.ops)) ops.set(Number(k), { name, returns });
    // names.ts is the authority for names (Zeek's / the IDL's spelling); decoders add arguments
    if (dec)
      for (const [k, op] of Object.entries(dec.ops)) {
        const n = names?.ops[Number(k)];
        ops.set(Number(k), n && n !== op.name ? { ...op, name: n } : op);
      }
    BY_UUID.set(uuid, { uuid, name: names?.name ?? dec!.name, ops });
  }
}
build();

/** The interface of an abstract syntax UUID (lower-case), or undefined when unknown. */
export function lookupInterface(uuid: string): InterfaceInfo | undefined {
  return BY_UUID.get(uuid);
}

/** The contract's `dcerpc.operation`: the IDL name, or `opnum-N`. */
export function operationName(iface: InterfaceInfo | undefined, opnum: number): string {
  return iface?.ops.get(opnum)?.name ?? `opnum-${opnum}`;
}

/** Arguments that name the object behind a handle (what the tracker remembers per handle). */
const NAMING_ARGS = ['service_name', 'key', 'task_path', 'account', 'group_rid', 'printer'] as const;

/**
 * The object a handle returned by an Open/Create call names: the input handle's object (if any)
 * refined by the request's naming args. Registry keys are joined (`HKLM` + `SOFTWARE\x`).
 */
export function objectArgs(parent: Args | undefined, request: Args): Args {
  const out: Args = {};
  for (const k of NAMING_ARGS) {
    const v = request[k] ?? parent?.[k];
    if (v !== undefined) out[k] = v;
  }
  if (parent && typeof parent.key === 'string' && typeof request.key === 'string') out.key = joinKey(parent.key, request.key);
  return out;
}

/**
 * A call's args completed from its input handle's object: naming args it lacks are filled in,
 * and a relative registry `key` is joined to the handle's key (the contract's full path).
 */
export function mergeHandleArgs(handleObject: Args | undefined, args: Args): Args {
  if (!handleObject) return args;
  const out: Args = { ...args };
  for (const k of NAMING_ARGS) {
    const v = handleObject[k];
    if (v === undefined) continue;
    if (k === 'key' && typeof v === 'string' && typeof out.key === 'string') out.key = joinKey(v, out.key);
    else if (out[k] === undefined) out[k] = v;
  }
  return out;
}

function joinKey(parent: string, child: string): string {
  if (!child) return parent;
  if (!parent) return child;
  return parent.endsWith('\\') ? parent + child : `${parent}\\${child}`;
}
