/**
 * From an inferred TREE_CONNECT's path length to the share name's length, its candidate names
 * and a confidence. The path is `\\<server>\<share>`: every name the server may have been called
 * by gives one share length. Lengths are weighed by the name's prior (how likely a client typed
 * it) times how well the resulting length fits a share known to exist there (an admin share, IPC$,
 * a share seen in the clear, a configured one) — over every TREE_CONNECT of the session, since a
 * client uses one server name per connection.
 */
import { classifyShare } from '../../shared/share-class';

/** how plausible a share length no known share has is, next to one a known share has */
export const UNKNOWN_LENGTH_LIKELIHOOD = 0.1;

/** Share names every Windows server has: the admin shares ADMIN$ and C$, and IPC$. */
const WELL_KNOWN = ['ADMIN$', 'C$', 'IPC$'];

export interface ShareKnowledge {
  /** names seen in the clear for this server (plaintext trees) */
  readonly seen: readonly string[];
  /** config inference.known_shares */
  readonly known: readonly string[];
  /** config share_classes.admin */
  readonly extraAdmin: readonly string[];
}

/** Candidate share names of this length: admin shares first, then IPC$, seen and configured names. */
export function candidatesOfLength(len: number, k: ShareKnowledge): string[] {
  const out: string[] = [];
  const add = (name: string): void => {
    if (name.length !== len) return;
    const lower = name.toLowerCase();
    for (const o of out) if (o.toLowerCase() === lower) return;
    out.push(name);
  };
  for (const n of WELL_KNOWN) if (classifyShare(n, k.extraAdmin) === 'admin') add(n);
  for (const n of k.extraAdmin) add(n);
  for (const n of k.seen) if (classifyShare(n, k.extraAdmin) === 'admin') add(n);
  add('IPC$');
  for (const n of k.seen) add(n);
  for (const n of k.known) add(n);
  return out;
}

/** Likelihood of a share length given what is known to exist on the server. */
export function lengthLikelihood(len: number, k: ShareKnowledge): number {
  if (len < 1) return 0;
  return candidatesOfLength(len, k).length > 0 ? 1 : UNKNOWN_LENGTH_LIKELIHOOD;
}

export interface LengthChoice {
  readonly length: number;
  /** posterior probability of that length */
  readonly p: number;
  /** posterior probability of every length */
  readonly all: ReadonlyMap<number, number>;
}

/**
 * The most probable share length for a path of `pathChars` characters, from the per-name
 * posterior weights of the session (prior × likelihood of every TREE_CONNECT so far).
 * null when no known server name leaves room for a share name.
 */
export function chooseLength(pathChars: number, weights: ReadonlyMap<string, number>): LengthChoice | null {
  const byLength = new Map<number, number>();
  let total = 0;
  for (const [name, w] of weights) {
    const len = pathChars - 3 - name.length;
    if (len < 1 || w <= 0) continue;
    byLength.set(len, (byLength.get(len) ?? 0) + w);
    total += w;
  }
  if (total === 0) return null;
  let best = -1;
  let bestW = -1;
  for (const [len, w] of byLength) {
    byLength.set(len, w / total);
    if (w > bestW || (w === bestW && len < best)) {
      best = len;
      bestW = w;
    }
  }
  return { length: best, p: bestW / total, all: byLength };
}

function adminShare(names: readonly string[], extraAdmin: readonly string[]): number {
  let admin = 0;
  for (const c of names) if (classifyShare(c, extraAdmin) === 'admin') admin++;
  return names.length === 0 ? 0 : admin / names.length;
}

/**
 * Confidence of an inferred tree. When an admin share is among its candidates: the probability
 * that the tree was on an admin share — over every share length the server's names allow (a
 * `\\10.99.0.1\C$` and a `\\SWSRV\ADMIN$` have the same size), each length counting the share
 * of admin names among its candidates (same-length ordinary shares known to exist lower it).
 * Otherwise: the probability of the share length. Both times the probability that the
 * TREE_CONNECT was read right.
 */
export function confidenceOf(structure: number, choice: LengthChoice, candidates: readonly string[], k: ShareKnowledge): number {
  let p = choice.p;
  if (adminShare(candidates, k.extraAdmin) > 0) {
    p = 0;
    for (const [len, pl] of choice.all) p += pl * adminShare(candidatesOfLength(len, k), k.extraAdmin);
  }
  return Math.round(structure * p * 1000) / 1000;
}
