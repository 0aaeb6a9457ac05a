/**
 * The MS-SAMR, MS-LSAT/LSAD, MS-NRPC, MS-DRSR, MS-EFSR, MS-RPRN, MS-DFSNM, MS-SRVS and MS-WKST
 * argument decoders (the dcerpc-ifaces part of iface/): DECODER_SETS in all.ts lists these too.
 */
import type { IfaceDecoders } from './types';
import { samr } from './samr';
import { lsarpc } from './lsarpc';
import { netlogon } from './netlogon';
import { drsuapi } from './drsuapi';
import { efsrpc, efsrpcLsarpc } from './efsrpc';
import { spoolss } from './spoolss';
import { dfsnm } from './dfsnm';
import { srvsvc } from './srvsvc';
import { wkssvc } from './wkssvc';

export const MS_DECODER_SETS: readonly IfaceDecoders[] = [samr, lsarpc, netlogon, drsuapi, efsrpc, efsrpcLsarpc, spoolss, dfsnm, srvsvc, wkssvc];
