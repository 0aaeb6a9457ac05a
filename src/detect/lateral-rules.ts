/**
 * The DCE/RPC rules (SW-0004 … SW-0011, SW-0013, SW-0014) and the lateral-movement chain
 * (SW-0012), built from the config in the detector's fixed order. Kept apart from detector.ts so
 * that the detector only registers them.
 */
import type { Config } from '../shared/config';
import type { LifecycleRecord } from '../shared/records';
import type { Rule } from './candidate';
import { baseName } from './command';
import { AuthenticationCoercion } from './rules/authentication-coercion';
import { Dcsync } from './rules/dcsync';
import { LateralMovementRule } from './rules/lateral-movement';
import { RemoteAccountCreated } from './rules/remote-account-created';
import { RemotePrinterDriverInstall } from './rules/remote-printer-driver-install';
import { RemoteRegistryWrite } from './rules/remote-registry-write';
import { RemoteServiceCreated } from './rules/remote-service-created';
import { RemoteTaskCreated } from './rules/remote-task-created';
import { RemoteWmiExecution } from './rules/remote-wmi-execution';
import { ZerologonAttempt } from './rules/zerologon-attempt';

export interface LateralRules {
  /** in order: SW-0004, 0005, 0007, 0008, 0009, 0010, 0011, 0013, 0014, 0012 */
  readonly rules: readonly (Rule & { readonly allowlisted: number })[];
  readonly chain: LateralMovementRule;
  readonly zerologon: ZerologonAttempt;
}

export function lateralRules(config: Config): LateralRules {
  const r = config.rules;
  const chain = new LateralMovementRule(r.lateralMovement);
  const wrote = (rec: LifecycleRecord, file: string): boolean => chain.correlator.wrote(rec.flow.clientIp, baseName(file), rec.ts);
  const zerologon = new ZerologonAttempt(r.zerologonAttempt);
  return {
    rules: [
      new RemoteServiceCreated(r.remoteServiceCreated, wrote),
      new RemoteTaskCreated(r.remoteTaskCreated, wrote),
      new RemoteRegistryWrite(r.remoteRegistryWrite),
      new AuthenticationCoercion(r.authenticationCoercion),
      new Dcsync(r.dcsync),
      zerologon,
      new RemoteAccountCreated(r.remoteAccountCreated),
      new RemoteWmiExecution(r.remoteWmiExecution, wrote),
      new RemotePrinterDriverInstall(r.remotePrinterDriverInstall),
      chain,
    ],
    chain,
    zerologon,
  };
}
