/**
 * What the report page is given: one JSON object, embedded in the HTML as a data block and read by
 * the page script (src/report/page). Plain data only; shared by the writer and the page as types.
 * Times on the timeline are milliseconds after `span.t0` (µs kept as three decimals).
 */

/** A table: column names and rows (cells: text, number or null); `rules` per row for the rule filter. */
export interface Table {
  cols: { key: string; label: string; num?: boolean }[];
  rows: (string | number | null)[][];
  /** per row: host addresses/names the host filter matches */
  hosts: string[][];
  /** per row: user names the user filter matches */
  users: string[][];
  /** per row: rule ids of alerts about the same session (or host, user) */
  rules: string[][];
  /** rows there were in all (more than `rows` when the table was cut) */
  total: number;
}

export interface AlertEntry {
  t: number;
  iso: string;
  severity: number;
  ruleId: string;
  ruleName: string;
  message: string;
  lane: number;
  /** index into details */
  detail: number;
  /** timeline window that shows what the alert is about: [from, to] (ms after t0) */
  focus: [number, number];
  steps: { iso: string; step: string; summary: string }[] | null;
  tool: string | null;
  count: number | null;
  client: string;
  server: string;
  user: string;
}

export interface PageData {
  /** the page format (bumped when this shape changes) */
  format: 1;
  span: { t0: number; first: string | null; last: string | null; durationMs: number };
  sensors: string[];
  counts: {
    events: number;
    alerts: number;
    byAction: [string, number][];
    byRule: [string, string, number, number][];
    bySeverity: [string, number][];
    badLines: [string, number][];
  };
  sampling: { sampled: boolean; shownEvents: number; omittedEvents: number; omittedSessions: number; tableRowsCut: boolean };
  /** client → server pairs with something shown in full; `others` set on the one lane that stands for the pairs whose events were all left out */
  lanes: { client: string; server: string; clientNames: string[]; serverNames: string[]; events: number; others?: number }[];
  keys: string[];
  /** per shown event: [key index, value] pairs (values as the log had them, arrays/objects flattened) */
  details: [number, string | number | boolean | null][][];
  /** [start, end, lane, detail, flags]  flags: 1 open at log end, 2 encrypted, 4 failure */
  sessions: number[][];
  /** [start, end, lane, detail, class, row]  class: 0 normal 1 admin 2 ipc 3 hidden 4 unknown; +8 inferred, +16 open at log end; row 0-2 for concurrent trees */
  trees: number[][];
  /** [t, lane, detail, kind]  kind: 0 failure, 1 rpc call, 2 service call, 3 task call, 4 registry call, 5 other marked rpc (+8 failed) */
  ticks: number[][];
  /** [t, lane, detail, severity] */
  marks: number[][];
  /** events sampled out, per lane and time slice: [start, end, lane, count] */
  density: number[][];
  alerts: AlertEntry[];
  tables: { hosts: Table; users: Table; admin: Table; services: Table; files: Table };
}

/** Who made the page: inputs and, for a run, packets and bytes read. Kept apart from the event-derived data. */
export interface RunInfo {
  inputs: string[];
  packets: number | null;
  bytes: number | null;
}
