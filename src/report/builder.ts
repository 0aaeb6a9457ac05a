/**
 * ReportBuilder: NDJSON event lines (or the same objects) in, the page's data out. One pass,
 * bounded memory (see retention.ts): counts and tables over every event, full detail for the
 * events the page shows. The result depends only on the events and their order, never on the
 * clock, so a log and the run that wrote it give the same page.
 */
import { type BadLineReason, type EventObj, type Json, type ParsedLine, checkEvent, field, num, parseEventLine, str } from './event';
import { rpcKind, sessionKey, severityName, treeKey, uncHost, userLabel } from './keys';
import type { AlertEntry, PageData } from './page-data';
import { type Held, Retention, type Sess } from './retention';
import { Tables } from './tables';

export interface ReportLimits {
  /** routine events shown in full at most (alerts and their sessions come on top) */
  shownEvents: number;
  /** rows per table at most */
  tableRows: number;
  /** events of one open, unpinned session before its routine ones are left out */
  sessionEvents: number;
  /** time slices of the density band for left-out events, per lane at most */
  densitySlices: number;
  /** density cells (lane × slice) in all, at most about */
  densityCells: number;
  /** characters of one value shown on hover */
  valueChars: number;
}

export const DEFAULT_LIMITS: ReportLimits = {
  shownEvents: 20_000,
  tableRows: 20_000,
  sessionEvents: 4_096,
  densitySlices: 400,
  densityCells: 40_000,
  valueChars: 2_048,
};

/** constant or redundant fields left out of the hover details */
const HIDDEN = new Set(['ecs.version', 'observer.product', 'observer.type', 'observer.version', 'network.transport']);
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const MAX_SENSORS = 64;

/** timeline rows as PageData describes them: sessions and trees (a tree gets its row appended by packRows) */
type SpanRow = [start: number, end: number, lane: number, detail: number, code: number, ...row: number[]];
/** ticks and marks */
type PointRow = [t: number, lane: number, detail: number, code: number];

interface Lane {
  client: string;
  server: string;
  clientNames: Set<string>;
  serverNames: Set<string>;
  events: number;
}

export class ReportBuilder {
  private readonly limits: ReportLimits;
  private readonly tables: Tables;
  private readonly retention: Retention;
  private readonly laneIndex = new Map<string, number>();
  private readonly lanes: Lane[] = [];
  private events = 0;
  private alerts = 0;
  private readonly byAction = new Map<string, number>();
  private readonly byRule = new Map<string, { name: string; n: number; max: number }>();
  private readonly bySeverity = new Map<string, number>();
  private readonly bad = new Map<BadLineReason, number>();
  private first = Infinity;
  private last = -Infinity;
  private firstIso: string | null = null;
  private lastIso: string | null = null;
  private readonly sensors = new Set<string>();

  constructor(limits: Partial<ReportLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.tables = new Tables(this.limits.tableRows);
    this.retention = new Retention(this.limits.shownEvents, this.limits.sessionEvents);
  }

  /** lines that were not events, by reason */
  get badLines(): ReadonlyMap<BadLineReason, number> {
    return this.bad;
  }

  get eventCount(): number {
    return this.events;
  }

  /** One NDJSON line (without or with its newline); blank lines are ignored. */
  addLine(line: string): void {
    if (line.trim() === '') return;
    const p = parseEventLine(line);
    if (!p.ok) {
      this.bad.set(p.reason, (this.bad.get(p.reason) ?? 0) + 1);
      return;
    }
    this.add(p.ev, p.t);
  }

  /** A line already parsed (readEventLogs). */
  addParsed(p: ParsedLine): void {
    if (!p.ok) this.bad.set(p.reason, (this.bad.get(p.reason) ?? 0) + 1);
    else this.add(p.ev, p.t);
  }

  /** An event object (as JSON.parse of its line gives it). */
  addEvent(obj: unknown): void {
    const p = checkEvent(obj);
    if (!p.ok) {
      this.bad.set(p.reason, (this.bad.get(p.reason) ?? 0) + 1);
      return;
    }
    this.add(p.ev, p.t);
  }

  private lane(ev: EventObj): number {
    const client = str(ev, 'source.ip') ?? '?';
    const server = str(ev, 'destination.ip') ?? '?';
    const key = `${client}>${server}`;
    let i = this.laneIndex.get(key);
    if (i === undefined) {
      i = this.lanes.length;
      this.laneIndex.set(key, i);
      this.lanes.push({ client, server, clientNames: new Set(), serverNames: new Set(), events: 0 });
    }
    const l = this.lanes[i]!; // i indexes lanes: from laneIndex, or the lane just pushed
    l.events++;
    const ws = str(ev, 'smb.workstation');
    if (ws !== undefined && ws !== '' && l.clientNames.size < 4) l.clientNames.add(ws);
    const host = uncHost(str(ev, 'smb.share'), server);
    if (host !== null && l.serverNames.size < 4) l.serverNames.add(host);
    return i;
  }

  private add(ev: EventObj, t: number): void {
    const n = this.events++;
    const iso = ev['@timestamp'] as string;
    if (t < this.first) {
      this.first = t;
      this.firstIso = iso;
    }
    if (t > this.last) {
      this.last = t;
      this.lastIso = iso;
    }
    const sensor = str(ev, 'observer.hostname');
    if (sensor !== undefined && this.sensors.size < MAX_SENSORS) this.sensors.add(sensor);
    const action = str(ev, 'event.action')!;
    const isAlert = str(ev, 'event.kind') === 'alert';
    if (isAlert) {
      this.alerts++;
      const id = str(ev, 'rule.id') ?? '?';
      const sev = num(ev, 'event.severity') ?? 0;
      const r = this.byRule.get(id);
      if (r === undefined) this.byRule.set(id, { name: str(ev, 'rule.name') ?? action, n: 1, max: sev });
      else {
        r.n++;
        if (sev > r.max) r.max = sev;
      }
      const sn = severityName(sev);
      this.bySeverity.set(sn, (this.bySeverity.get(sn) ?? 0) + 1);
    } else {
      this.byAction.set(action, (this.byAction.get(action) ?? 0) + 1);
    }
    this.tables.add(ev, t);
    const lane = this.lane(ev);
    const lmAlert = isAlert && (str(ev, 'rule.id') === 'SW-0012' || action === 'lateral-movement');
    const held: Held = { n, ev, t, lane, notable: isAlert || notable(ev, action) };
    this.retention.add(held, sessionKey(ev), `${lane}`, {
      pin: isAlert || str(ev, 'lateral_movement.id') !== undefined,
      pinPair: lmAlert,
      ends: !isAlert && (action === 'smb-session-end' || action === 'smb-encrypted-session'),
    });
  }

  finish(): PageData {
    const shown = this.retention.finish();
    const t0 = this.events === 0 ? 0 : Math.floor(this.first);
    const tEnd = this.events === 0 ? 0 : this.last;
    const rel = (t: number): number => Math.round((t - t0) * 1000) / 1000;
    const keys: string[] = [];
    const keyIndex = new Map<string, number>();
    const details: PageData['details'] = [];
    const detailOf = new Map<Held, number>();
    const all: Held[] = [];
    for (const s of shown) for (const h of s.events) all.push(h);
    all.sort((a, b) => a.t - b.t || a.n - b.n);
    for (const h of all) {
      const pairs: [number, string | number | boolean | null][] = [];
      flatten(h.ev, '', (k, v) => {
        if (HIDDEN.has(k)) return;
        let i = keyIndex.get(k);
        if (i === undefined) {
          i = keys.length;
          keys.push(k);
          keyIndex.set(k, i);
        }
        pairs.push([i, typeof v === 'string' && v.length > this.limits.valueChars ? v.slice(0, this.limits.valueChars) + '…' : v]);
      });
      detailOf.set(h, details.length);
      details.push(pairs);
    }
    const sessions: SpanRow[] = [];
    const trees: SpanRow[] = [];
    const ticks: PointRow[] = [];
    const marks: PointRow[] = [];
    const alerts: AlertEntry[] = [];
    for (const s of shown) this.items(s, detailOf, rel, tEnd, { sessions, trees, ticks, marks, alerts });
    const byTime = (a: SpanRow, b: SpanRow): number => a[0] - b[0] || a[3] - b[3];
    sessions.sort(byTime);
    trees.sort(byTime);
    packRows(trees);
    // admin trees drawn last (on top), so a short C$ mapping is never hidden under an IPC$ tree
    trees.sort((a, b) => Number((a[4] & 7) === 1) - Number((b[4] & 7) === 1) || a[0] - b[0] || a[3] - b[3]);
    ticks.sort((a, b) => a[0] - b[0] || a[2] - b[2]);
    marks.sort((a, b) => a[0] - b[0] || a[2] - b[2]);
    alerts.sort((a, b) => b.severity - a.severity || a.t - b.t || a.detail - b.detail);
    const r = this.retention;
    // Lanes on the page: those with something shown in full; the pairs whose events were all left
    // out share one "other pairs" lane (a 1M-event log can have 100k pairs: a lane each is no use)
    const used = new Set<number>();
    for (const list of [sessions, trees]) for (const x of list) used.add(x[2]);
    for (const list of [ticks, marks]) for (const x of list) used.add(x[1]);
    for (const a of alerts) used.add(a.lane);
    const remap = new Map<number, number>();
    for (const l of [...used].sort((a, b) => a - b)) remap.set(l, remap.size);
    const other = remap.size;
    let otherPairs = 0;
    for (let i = 0; i < this.lanes.length; i++) if (!remap.has(i)) otherPairs++;
    const laneOf = (l: number): number => remap.get(l) ?? other;
    for (const list of [sessions, trees]) for (const x of list) x[2] = laneOf(x[2]);
    for (const list of [ticks, marks]) for (const x of list) x[1] = laneOf(x[1]);
    for (const a of alerts) a.lane = laneOf(a.lane);
    const droppedLanes = r.droppedLane.map(laneOf);
    const density = this.density(droppedLanes, r.droppedT, t0, tEnd, rel);
    const pageLanes: PageData['lanes'] = [...remap.keys()].map((i) => {
      const l = this.lanes[i]!; // remap's keys are the lanes items were drawn on
      return { client: l.client, server: l.server, clientNames: [...l.clientNames], serverNames: [...l.serverNames], events: l.events };
    });
    if (otherPairs > 0 && droppedLanes.some((l) => l === other)) {
      let events = 0;
      for (let i = 0; i < this.lanes.length; i++) if (!remap.has(i)) events += this.lanes[i]!.events;
      pageLanes.push({ client: 'other', server: 'other', clientNames: [], serverNames: [], events, others: otherPairs });
    }
    const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    return {
      format: 1,
      span: { t0, first: this.firstIso, last: this.lastIso, durationMs: this.events === 0 ? 0 : rel(tEnd) - rel(this.first) },
      sensors: [...this.sensors].sort(cmp),
      counts: {
        events: this.events,
        alerts: this.alerts,
        byAction: [...this.byAction].sort((a, b) => cmp(a[0], b[0])),
        byRule: [...this.byRule].sort((a, b) => cmp(a[0], b[0])).map(([id, v]) => [id, v.name, v.n, v.max]),
        bySeverity: SEVERITIES.filter((s) => this.bySeverity.has(s)).map((s) => [s, this.bySeverity.get(s)!]),
        badLines: [...this.bad].sort((a, b) => cmp(a[0], b[0])),
      },
      sampling: {
        sampled: r.droppedT.length > 0,
        shownEvents: all.length,
        omittedEvents: r.droppedT.length,
        omittedSessions: r.droppedSessions,
        tableRowsCut: this.tables.cut,
      },
      lanes: pageLanes,
      keys,
      details,
      sessions,
      trees,
      ticks,
      marks,
      density,
      alerts,
      tables: this.tables.finish(),
    };
  }

  /** The timeline items of one shown session. */
  private items(
    s: Sess,
    detailOf: Map<Held, number>,
    rel: (t: number) => number,
    tEnd: number,
    out: { sessions: SpanRow[]; trees: SpanRow[]; ticks: PointRow[]; marks: PointRow[]; alerts: AlertEntry[] },
  ): void {
    let setup: Held | null = null;
    let end: Held | null = null;
    let start = Infinity;
    let failedOnly = true;
    const ended = new Set<string>();
    for (const h of s.events) {
      const a = str(h.ev, 'event.action');
      if (a === 'smb-tree-disconnect') ended.add(treeKey(h.ev));
      if (str(h.ev, 'event.kind') !== 'alert') start = Math.min(start, h.t);
    }
    for (const h of s.events) {
      const ev = h.ev;
      const d = detailOf.get(h)!;
      const action = str(ev, 'event.action');
      const failed = str(ev, 'event.outcome') === 'failure';
      const dur = (num(ev, 'event.duration') ?? 0) / 1e6;
      if (str(ev, 'event.kind') === 'alert') {
        const sev = num(ev, 'event.severity') ?? 0;
        out.marks.push([rel(h.t), h.lane, d, sev]);
        out.alerts.push(alertEntry(ev, h, d, rel));
        continue;
      }
      switch (action) {
        case 'smb-session-setup':
          if (failed) out.ticks.push([rel(h.t), h.lane, d, 0]);
          else {
            failedOnly = false;
            if (setup === null) setup = h;
          }
          break;
        case 'smb-session-end':
        case 'smb-encrypted-session':
          failedOnly = false;
          end = h;
          start = Math.min(start, h.t - dur);
          break;
        case 'smb-tree-connect':
          if (failed) out.ticks.push([rel(h.t), h.lane, d, 0]);
          else if (!ended.has(treeKey(ev))) out.trees.push([rel(h.t), rel(tEnd), h.lane, d, shareClassCode(ev) + 16]);
          break;
        case 'smb-tree-disconnect':
          out.trees.push([rel(h.t - dur), rel(h.t), h.lane, d, shareClassCode(ev)]);
          break;
        case 'smb-inferred-tree':
          out.trees.push([rel(h.t - dur), rel(h.t), h.lane, d, shareClassCode(ev) + 8]);
          break;
        case 'dcerpc-call':
          out.ticks.push([rel(h.t), h.lane, d, rpcKind(ev) + (failed ? 8 : 0)]);
          break;
        default:
          if (failed) out.ticks.push([rel(h.t), h.lane, d, 0]);
      }
    }
    if (failedOnly || (setup === null && end === null)) return;
    const lane = (end ?? setup)!.lane;
    const d = detailOf.get((end ?? setup)!)!;
    const encrypted = end !== null && str(end.ev, 'event.action') === 'smb-encrypted-session';
    const flags = (end === null ? 1 : 0) | (encrypted ? 2 : 0);
    out.sessions.push([rel(start), rel(end === null ? tEnd : end.t), lane, d, flags]);
  }

  private density(lanes: number[], ts: number[], t0: number, tEnd: number, rel: (t: number) => number): number[][] {
    if (ts.length === 0) return [];
    // at most ~densityCells cells in all: fewer slices per lane when many lanes lost events
    const lanesHit = new Set(lanes).size;
    const n = Math.max(4, Math.min(this.limits.densitySlices, Math.floor(this.limits.densityCells / lanesHit)));
    const width = Math.max((tEnd - t0) / n, 1e-3);
    const counts = new Map<number, number>();
    // lanes and ts are parallel (Retention.dropEvent pushes one of each)
    for (let i = 0; i < ts.length; i++) {
      const slice = Math.min(n - 1, Math.floor((ts[i]! - t0) / width));
      const k = lanes[i]! * n + slice;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return [...counts]
      .sort((a, b) => a[0] - b[0])
      .map(([k, c]) => {
        const slice = k % n;
        return [rel(t0 + slice * width), rel(t0 + (slice + 1) * width), (k - slice) / n, c];
      });
  }
}

const TREE_ROWS = 3;

/** Concurrent trees of a lane on up to three rows (appended as the item's last value; trees sorted by start). */
function packRows(trees: SpanRow[]): void {
  const ends = new Map<number, number[]>();
  for (const t of trees) {
    let rows = ends.get(t[2]);
    if (rows === undefined) ends.set(t[2], (rows = []));
    let row = rows.findIndex((end) => end <= t[0]);
    if (row < 0) row = rows.length < TREE_ROWS ? rows.length : rows.indexOf(Math.min(...rows));
    rows[row] = Math.max(rows[row] ?? -Infinity, t[1]);
    t.push(row);
  }
}

/** Worth showing even when routine events are sampled: admin/hidden shares, failures, sensitive RPC. */
function notable(ev: EventObj, action: string): boolean {
  if (str(ev, 'lateral_movement.id') !== undefined) return true;
  if (str(ev, 'event.outcome') === 'failure') return true;
  const cls = str(ev, 'smb.share_class');
  if (cls === 'admin' || cls === 'hidden') return true;
  if (action === 'smb-inferred-tree') return true;
  if (action === 'dcerpc-call') return rpcKind(ev) >= 2;
  return false;
}

const CLASS_CODES: Record<string, number> = { normal: 0, admin: 1, ipc: 2, hidden: 3, unknown: 4 };
function shareClassCode(ev: EventObj): number {
  const cls = str(ev, 'smb.share_class') ?? 'unknown';
  // own keys only: a log line's share_class 'constructor' or 'toString' is no class (it drew
  // Object's function into the page data: null, or a string where a number belongs)
  return Object.hasOwn(CLASS_CODES, cls) ? CLASS_CODES[cls]! : 4;
}

function alertEntry(ev: EventObj, h: Held, detail: number, rel: (t: number) => number): AlertEntry {
  const dur = (num(ev, 'event.duration') ?? 0) / 1e6;
  let start = h.t - dur;
  let stop = h.t;
  const stepsField = field(ev, 'lateral_movement.steps');
  let steps: AlertEntry['steps'] = null;
  if (Array.isArray(stepsField)) {
    steps = [];
    for (const s of stepsField) {
      if (s === null || typeof s !== 'object' || Array.isArray(s)) continue;
      const o = s as { [k: string]: Json };
      const iso = typeof o['@timestamp'] === 'string' ? o['@timestamp'] : '';
      steps.push({ iso, step: typeof o.step === 'string' ? o.step : '', summary: typeof o.summary === 'string' ? o.summary : '' });
      const st = checkEvent({ '@timestamp': iso, event: { action: 'x' } });
      if (st.ok) start = Math.min(start, st.t);
    }
  }
  for (const k of ['event.start', 'event.end']) {
    const v = str(ev, k);
    const p = v === undefined ? null : checkEvent({ '@timestamp': v, event: { action: 'x' } });
    if (p !== null && p.ok) {
      start = Math.min(start, p.t);
      stop = Math.max(stop, p.t);
    }
  }
  const pad = Math.max((stop - start) * 0.5, 1);
  const tool = field(ev, 'lateral_movement.tool');
  return {
    t: rel(h.t),
    iso: str(ev, '@timestamp') ?? '',
    severity: num(ev, 'event.severity') ?? 0,
    ruleId: str(ev, 'rule.id') ?? '',
    ruleName: str(ev, 'rule.name') ?? str(ev, 'event.action') ?? '',
    message: str(ev, 'message') ?? '',
    lane: h.lane,
    detail,
    focus: [rel(start - pad), rel(stop + pad)],
    steps,
    tool: typeof tool === 'string' ? tool : null,
    count: num(ev, 'event.count') ?? null,
    client: str(ev, 'source.ip') ?? '',
    server: str(ev, 'destination.ip') ?? '',
    user: userLabel(ev),
  };
}

/** nesting deeper than the contract's (a hostile log line can nest 100k levels) is shown cut */
const MAX_DEPTH = 12;
/** fields of one event shown at most */
const MAX_FIELDS = 400;

/** Dotted keys and printable values; arrays of plain values joined, arrays of objects indexed. */
function flatten(v: Json, prefix: string, put: (k: string, v: string | number | boolean | null) => void, depth = 0, budget = { n: MAX_FIELDS }): void {
  if (budget.n <= 0) return;
  if (v === null || typeof v !== 'object') {
    budget.n--;
    put(prefix, v);
    return;
  }
  if (depth >= MAX_DEPTH) {
    budget.n--;
    put(prefix, '(nested too deep)');
    return;
  }
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) {
      budget.n--;
      put(prefix, v.map((x) => String(x)).join(', '));
      return;
    }
    v.forEach((x, i) => flatten(x, `${prefix}.${i}`, put, depth + 1, budget));
    return;
  }
  for (const k of Object.keys(v)) flatten(v[k]!, prefix === '' ? k : `${prefix}.${k}`, put, depth + 1, budget);
}

