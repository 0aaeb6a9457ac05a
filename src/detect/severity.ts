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

/**
 * A tree's lifetime → its base tier by the short-lived-admin-share thresholds (seconds, in
 * config): shorter than `high` is high, then medium, then low; longer than `low` is no alert.
 * SW-0001 and its inferred twin SW-0015 share the thresholds, so they share this.
 */
export class DurationTiers {
  private readonly highNs: number;
  private readonly mediumNs: number;
  private readonly lowNs: number;

  constructor(thresholds: { readonly high: number; readonly medium: number; readonly low: number }) {
    this.highNs = Math.round(thresholds.high * 1e9);
    this.mediumNs = Math.round(thresholds.medium * 1e9);
    this.lowNs = Math.round(thresholds.low * 1e9);
  }

  tierOf(ns: number): SeverityName | null {
    if (ns <= this.highNs) return 'high';
    if (ns <= this.mediumNs) return 'medium';
    if (ns <= this.lowNs) return 'low';
    return null;
  }
}

export const T1021_002: Technique = { id: 'T1021.002', name: 'SMB/Windows Admin Shares' };
export const T1070_005: Technique = { id: 'T1070.005', name: 'Network Share Connection Removal' };
export const T1110: Technique = { id: 'T1110', name: 'Brute Force' };
export const T1570: Technique = { id: 'T1570', name: 'Lateral Tool Transfer' };
export const T1135: Technique = { id: 'T1135', name: 'Network Share Discovery' };
