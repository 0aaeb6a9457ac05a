/** Pieces of the human sentences in alert messages (capture data; output escapes it). */
import type { SessionView } from '../shared/records';

/**
 * `alice@CORP`, `alice`, `an anonymous user`, `an unknown user of CONTOSO.LOCAL` (Kerberos: the
 * client name sits in the encrypted ticket), `an unknown user`.
 */
export function who(s: SessionView): string {
  const domain = s.domain !== null && s.domain !== '' ? s.domain : s.kerberosRealm;
  if (s.user === null || s.user === '') {
    if (s.auth === 'anonymous') return 'an anonymous user';
    return domain !== null && domain !== '' ? `an unknown user of ${domain}` : 'an unknown user';
  }
  return domain !== null && domain !== '' ? `${s.user}@${domain}` : s.user;
}

/** The first letter upper-cased when it is our own lower-case wording (`an unknown user`). */
export function sentenceStart(s: string): string {
  return s.startsWith('an ') ? 'A' + s.slice(1) : s;
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
