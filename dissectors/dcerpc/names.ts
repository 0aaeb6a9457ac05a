/**
 * PLACEHOLDER owned by the dcerpc-ifaces branch (which replaces this whole file): interface
 * UUID → name and opnum → operation names for every interface. Only what the core decoders need.
 */
import type { InterfaceNames } from './iface/types';

export const INTERFACE_NAMES: readonly InterfaceNames[] = [];
