/**
 * Who observed the events (ECS `observer.*`, the same on every line of a run): product
 * `sharewatch`, type `sensor`, the package version, the host name (config `observer.name`
 * overrides it) and, live, the capture interface (`observer.ingress.interface.name`).
 */
import { hostname } from 'node:os';
import { packageVersion } from '../shared/version';

export interface Observer {
  readonly hostname: string;
  readonly version: string;
  /** live capture interface; null for replay */
  readonly ingressInterface: string | null;
}

export const OBSERVER_PRODUCT = 'sharewatch';
export const OBSERVER_TYPE = 'sensor';

export function makeObserver(opts: { name?: string | null; iface?: string | null } = {}): Observer {
  return {
    hostname: opts.name ?? hostname(),
    version: packageVersion(),
    ingressInterface: opts.iface ?? null,
  };
}

let fallback: Observer | null = null;

/** The observer of a run that named none (this host, replay). */
export function defaultObserver(): Observer {
  return (fallback ??= makeObserver());
}
