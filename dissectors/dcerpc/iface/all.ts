/** Every interface's argument decoders (one file per interface). */
import type { IfaceDecoders } from './types';
import { svcctl } from './svcctl';
import { atsvc } from './atsvc';
import { winreg } from './winreg';
import { epmapper } from './epmapper';
import { tsch } from './tsch';
import { activator } from './activator';
import { iwbemservices } from './iwbem';
import { MS_DECODER_SETS } from './ms-decoders';

export const DECODER_SETS: readonly IfaceDecoders[] = [svcctl, atsvc, winreg, epmapper, tsch, activator, iwbemservices, ...MS_DECODER_SETS];
