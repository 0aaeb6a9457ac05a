/** Pieces of the human sentences in alert messages (capture data; output escapes it). */
import type { SessionView } from '../shared/records';

/** `alice@CORP`, `alice`, or `an unknown user` */
export function who(s: SessionView): string {
  if (s.user === null || s.user === '') return 'an unknown user';
  const domain = s.domain !== null && s.domain !== '' ? s.domain : s.kerberosRealm;
  return domain !== null && domain !== '' ? `${s.user}@${domain}` : s.user;
}

/** `0.042 s`, `1.2 s`, `250.0 s` */
export function seconds(ns: number): string {
  const s = Math.max(0, ns) / 1e9;
  return `${s.toFixed(s < 1 ? 3 : 1)} s`;
}

/** `a, b, c` or `a, b, c and 4 more` */
export function listSome(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
