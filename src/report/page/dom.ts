/**
 * DOM building with text nodes only: every string from the log (share, user, file, service names,
 * binary paths) is data and reaches the page as textContent, never as markup. No innerHTML here.
 */
type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`#${id} missing`);
  return e as T;
}

export function clear(e: Element): void {
  while (e.firstChild) e.removeChild(e.firstChild);
}

export function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** milliseconds → "2 h 03 min", "4.512 s", "5.000 ms" */
export function fmtDuration(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(3)} ms`;
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(3)} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min ${Math.floor(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** epoch ms → "2026-11-23 02:43:36.652961" (UTC) */
export function fmtTime(ms: number): string {
  const whole = Math.floor(ms);
  const us = Math.min(999, Math.round((ms - whole) * 1000));
  const iso = new Date(whole).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(us).padStart(3, '0')}`;
}

export const SEVERITY_NAMES: [number, string][] = [
  [99, 'critical'],
  [73, 'high'],
  [47, 'medium'],
  [21, 'low'],
];

export function severityName(n: number): string {
  for (const [min, name] of SEVERITY_NAMES) if (n >= min) return name;
  return 'info';
}
