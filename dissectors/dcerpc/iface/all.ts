/** Every interface's argument decoders (one file per interface). */
import type { IfaceDecoders } from './types';
import { svcctl } from './svcctl';

export const DECODER_SETS: readonly IfaceDecoders[] = [svcctl];
