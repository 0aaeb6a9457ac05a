/** Every interface's argument decoders (one file per interface). */
import type { IfaceDecoders } from './types';

export const DECODER_SETS: readonly IfaceDecoders[] = [];
