/** Every interface's argument decoders (one file per interface). */
import type { IfaceDecoders } from './types';
import { svcctl } from './svcctl';
import { atsvc } from './atsvc';
import { winreg } from './winreg';
import { epmapper } from './epmapper';
import { tsch } from './tsch';

export const DECODER_SETS: readonly IfaceDecoders[] = [svcctl, atsvc, winreg, epmapper, tsch];
