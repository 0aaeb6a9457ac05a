/** Severities (contract: event.severity) and the ATT&CK techniques the rules tag. */
import type { Technique } from '../shared/records';
import type { SeverityName } from '../shared/config';

export const SEVERITY: Readonly<Record<SeverityName, number>> = {
  low: 21,
  medium: 47,
  high: 73,
  critical: 99,
};

/** Tiers in ascending order: escalation moves one step right, capped at critical. */
export const TIERS: readonly SeverityName[] = ['low', 'medium', 'high', 'critical'];

export function escalate(tier: SeverityName): SeverityName {
  const i = TIERS.indexOf(tier);
  return TIERS[Math.min(i + 1, TIERS.length - 1)]!;
}

export const T1021_002: Technique = { id: 'T1021.002', name: 'SMB/Windows Admin Shares' };
export const T1070_005: Technique = { id: 'T1070.005', name: 'Network Share Connection Removal' };
export const T1110: Technique = { id: 'T1110', name: 'Brute Force' };
export const T1570: Technique = { id: 'T1570', name: 'Lateral Tool Transfer' };
export const T1135: Technique = { id: 'T1135', name: 'Network Share Discovery' };
