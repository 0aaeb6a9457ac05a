/**
 * The report's tables, aggregated over every event (sampling never touches them): hosts (as
 * client, as server), users, admin-share mappings with durations, services and tasks created,
 * files written on admin shares. Bounded: sets of names are capped, rows beyond `maxRows` are
 * counted, not kept.
 */
import { type EventObj, field, num, str, strList } from './event';
import { createsServiceOrTask, isoFromMs, sessionKey, severityName, treeKey, uncHost, userLabel } from './keys';
import type { Table } from './page-data';

const MAX_NAMES = 8;
const MAX_PEERS = 10_000;

interface Side {
  sessions: number;
  trees: number;
  adminTrees: number;
  failures: number;
  peers: Set<string>;
}
const side = (): Side => ({ sessions: 0, trees: 0, adminTrees: 0, failures: 0, peers: new Set() });

interface Host {
  ip: string;
  names: Set<string>;
  client: Side;
  server: Side;
  users: Set<string>;
}

interface User {
  name: string;
  sessions: number;
  failures: number;
  adminTrees: number;
  clients: Set<string>;
  servers: Set<string>;
}

type Cell = string | number | null;
interface Row {
  cells: Cell[];
  hosts: string[];
  users: string[];
  sess: string;
}

function addCapped(set: Set<string>, v: string, cap: number): void {
  if (v !== '' && set.size < cap) set.add(v);
}

export class Tables {
  private readonly hosts = new Map<string, Host>();
  private readonly users = new Map<string, User>();
  private readonly sessionsSeen = new Set<string>();
  private readonly admin: Row[] = [];
  private adminTotal = 0;
  /** admin trees still open: tree key → row (to fill in at disconnect) */
  private readonly openAdmin = new Map<string, Row | null>();
  private readonly services: Row[] = [];
  private servicesTotal = 0;
  /** a call and the alert about it are one row: call key → row */
  private readonly serviceRows = new Map<string, Row>();
  private readonly files: Row[] = [];
  private filesTotal = 0;
  readonly rulesBySession = new Map<string, Set<string>>();
  private readonly rulesByHost = new Map<string, Set<string>>();
  private readonly rulesByUser = new Map<string, Set<string>>();
  cut = false;

  constructor(private readonly maxRows: number) {}

  private host(ip: string): Host {
    let h = this.hosts.get(ip);
    if (h === undefined) {
      h = { ip, names: new Set(), client: side(), server: side(), users: new Set() };
      this.hosts.set(ip, h);
    }
    return h;
  }

  private user(name: string): User {
    let u = this.users.get(name);
    if (u === undefined) {
      u = { name, sessions: 0, failures: 0, adminTrees: 0, clients: new Set(), servers: new Set() };
      this.users.set(name, u);
    }
    return u;
  }

  private push(list: Row[], row: Row, total: 'adminTotal' | 'servicesTotal' | 'filesTotal'): boolean {
    this[total]++;
    if (list.length >= this.maxRows) {
      this.cut = true;
      return false;
    }
    list.push(row);
    return true;
  }

  add(ev: EventObj, t: number): void {
    const src = str(ev, 'source.ip');
    const dst = str(ev, 'destination.ip');
    if (src === undefined || dst === undefined) return;
    const action = str(ev, 'event.action')!;
    const isAlert = str(ev, 'event.kind') === 'alert';
    const user = userLabel(ev);
    const sess = sessionKey(ev);
    const client = this.host(src);
    const server = this.host(dst);
    addCapped(client.client.peers, dst, MAX_PEERS);
    addCapped(server.server.peers, src, MAX_PEERS);
    const ws = str(ev, 'smb.workstation');
    if (ws !== undefined) addCapped(client.names, ws, MAX_NAMES);
    const share = str(ev, 'smb.share');
    const sname = uncHost(share, dst);
    if (sname !== null) addCapped(server.names, sname, MAX_NAMES);
    let u: User | null = null;
    if (user !== '') {
      u = this.user(user);
      addCapped(u.clients, src, MAX_PEERS);
      addCapped(u.servers, dst, MAX_PEERS);
      addCapped(client.users, user, MAX_PEERS);
      addCapped(server.users, user, MAX_PEERS);
    }
    if (isAlert) {
      const rule = str(ev, 'rule.id') ?? str(ev, 'rule.name') ?? '?';
      for (const [m, k] of [
        [this.rulesBySession, sess],
        [this.rulesByHost, src],
        [this.rulesByHost, dst],
        [this.rulesByUser, user],
      ] as const) {
        let s = m.get(k);
        if (s === undefined) m.set(k, (s = new Set()));
        s.add(rule);
      }
      this.alertRows(ev, t, rule, user, src, dst);
      return;
    }
    if (!this.sessionsSeen.has(sess) && str(ev, 'smb.session_id') !== undefined) {
      this.sessionsSeen.add(sess);
      client.client.sessions++;
      server.server.sessions++;
      if (u !== null) u.sessions++;
    }
    if (str(ev, 'event.outcome') === 'failure') {
      client.client.failures++;
      server.server.failures++;
      if (u !== null) u.failures++;
    }
    const admin = str(ev, 'smb.share_class') === 'admin';
    const base = (): Cell[] => [src, dst, user];
    switch (action) {
      case 'smb-tree-connect': {
        if (str(ev, 'event.outcome') !== 'success') break;
        client.client.trees++;
        server.server.trees++;
        if (!admin) break;
        client.client.adminTrees++;
        server.server.adminTrees++;
        if (u !== null) u.adminTrees++;
        // start, client, server, user, share, duration, end, bytes written, files, inferred
        const row: Row = {
          cells: [str(ev, '@timestamp')!, ...base(), share ?? str(ev, 'smb.share_name') ?? '', null, 'open at log end', null, '', 'no'],
          hosts: [src, dst],
          users: [user],
          sess,
        };
        this.openAdmin.set(treeKey(ev), this.push(this.admin, row, 'adminTotal') ? row : null);
        break;
      }
      case 'smb-tree-disconnect':
      case 'smb-inferred-tree': {
        if (!admin) break;
        const inferred = action === 'smb-inferred-tree';
        const dur = num(ev, 'event.duration') ?? 0;
        const key = treeKey(ev);
        let row = inferred ? undefined : this.openAdmin.get(key);
        if (row === undefined) {
          // its connect was not in the log (or the tree was inferred): the mapping starts here
          if (inferred) {
            client.client.adminTrees++;
            server.server.adminTrees++;
            if (u !== null) u.adminTrees++;
          }
          const shareText = inferred
            ? strList(ev, 'smb.share_candidates').join(' | ') || '(inferred)'
            : share ?? str(ev, 'smb.share_name') ?? '';
          const r: Row = {
            cells: [isoFromMs(t - dur / 1e6), ...base(), shareText, null, '', null, '', inferred ? 'yes' : 'no'],
            hosts: [src, dst],
            users: [user],
            sess,
          };
          row = this.push(this.admin, r, 'adminTotal') ? r : null;
        } else {
          this.openAdmin.delete(key);
        }
        const files = strList(ev, 'smb.files');
        if (row !== null) {
          row.cells[5] = Math.round(dur / 1e3) / 1e6;
          row.cells[6] = str(ev, 'smb.end_reason') ?? '';
          row.cells[7] = num(ev, 'smb.activity.bytes_written') ?? null;
          row.cells[8] = files.join(', ');
        }
        for (const f of files) {
          // time, client, server, user, share, file, bytes written (tree), writes (tree)
          this.push(
            this.files,
            {
              cells: [str(ev, '@timestamp')!, ...base(), share ?? '', f, num(ev, 'smb.activity.bytes_written') ?? null, num(ev, 'smb.activity.writes') ?? null],
              hosts: [src, dst],
              users: [user],
              sess,
            },
            'filesTotal',
          );
        }
        break;
      }
      case 'dcerpc-call': {
        const what = createsServiceOrTask(ev);
        if (what === null) break;
        const row = this.serviceRow(ev, what, src, dst, user, sess);
        if (row !== null) this.serviceRows.set(callKey(ev), row);
        break;
      }
    }
  }

  /** time, client, server, user, kind, operation, name, command, outcome, alert */
  private serviceRow(ev: EventObj, what: string, src: string, dst: string, user: string, sess: string): Row | null {
    const name = str(ev, 'dcerpc.args.service_name') ?? str(ev, 'dcerpc.args.task_path') ?? '';
    const command = str(ev, 'dcerpc.args.binary_path') ?? str(ev, 'dcerpc.args.command') ?? '';
    const args = str(ev, 'dcerpc.args.arguments');
    const outcome = str(ev, 'dcerpc.return_code') ?? str(ev, 'dcerpc.fault') ?? str(ev, 'event.outcome') ?? '';
    const row: Row = {
      cells: [str(ev, '@timestamp')!, src, dst, user, what, str(ev, 'dcerpc.operation') ?? '', name, args ? `${command} ${args}` : command, outcome, ''],
      hosts: [src, dst],
      users: [user],
      sess,
    };
    return this.push(this.services, row, 'servicesTotal') ? row : null;
  }

  private alertRows(ev: EventObj, t: number, rule: string, user: string, src: string, dst: string): void {
    const sev = num(ev, 'event.severity');
    const tag = `${rule} ${sev !== undefined ? severityName(sev) : ''}`.trim();
    if (rule === 'SW-0004' || rule === 'SW-0005') {
      let row = this.serviceRows.get(callKey(ev));
      if (row === undefined) {
        const r = this.serviceRow(ev, rule === 'SW-0004' ? 'service' : 'task', src, dst, user, sessionKey(ev));
        if (r === null) return;
        row = r;
        this.serviceRows.set(callKey(ev), row);
      }
      row.cells[9] = row.cells[9] === '' ? tag : `${row.cells[9]}, ${tag}`;
    }
    void t;
  }

  finish(): { hosts: Table; users: Table; admin: Table; services: Table; files: Table } {
    const rulesOf = (r: Row): string[] => sorted(this.rulesBySession.get(r.sess));
    const rowsTable = (cols: Table['cols'], rows: Row[], total: number): Table => ({
      cols,
      rows: rows.map((r) => r.cells),
      hosts: rows.map((r) => r.hosts),
      users: rows.map((r) => r.users.filter((x) => x !== '')),
      rules: rows.map(rulesOf),
      total,
    });
    const hostList = [...this.hosts.values()].sort((a, b) => cmp(a.ip, b.ip));
    const hostRows = hostList.slice(0, this.maxRows);
    if (hostList.length > this.maxRows) this.cut = true;
    const hosts: Table = {
      cols: [
        { key: 'host', label: 'Host' },
        { key: 'names', label: 'Names' },
        { key: 'c_sessions', label: 'Sessions as client', num: true },
        { key: 'c_trees', label: 'Trees as client', num: true },
        { key: 'c_admin', label: 'Admin trees as client', num: true },
        { key: 'c_fail', label: 'Failures as client', num: true },
        { key: 'c_peers', label: 'Servers', num: true },
        { key: 's_sessions', label: 'Sessions as server', num: true },
        { key: 's_trees', label: 'Trees as server', num: true },
        { key: 's_admin', label: 'Admin trees as server', num: true },
        { key: 's_peers', label: 'Clients', num: true },
        { key: 'alerts', label: 'Alert rules' },
      ],
      rows: hostRows.map((h) => [
        h.ip,
        [...h.names].join(', '),
        h.client.sessions,
        h.client.trees,
        h.client.adminTrees,
        h.client.failures,
        h.client.peers.size,
        h.server.sessions,
        h.server.trees,
        h.server.adminTrees,
        h.server.peers.size,
        sorted(this.rulesByHost.get(h.ip)).join(', '),
      ]),
      hosts: hostRows.map((h) => [h.ip, ...h.names]),
      users: hostRows.map((h) => [...h.users].slice(0, 64)),
      rules: hostRows.map((h) => sorted(this.rulesByHost.get(h.ip))),
      total: hostList.length,
    };
    const userList = [...this.users.values()].sort((a, b) => cmp(a.name, b.name));
    const userRows = userList.slice(0, this.maxRows);
    if (userList.length > this.maxRows) this.cut = true;
    const users: Table = {
      cols: [
        { key: 'user', label: 'User' },
        { key: 'sessions', label: 'Sessions', num: true },
        { key: 'failures', label: 'Failures', num: true },
        { key: 'admin', label: 'Admin trees', num: true },
        { key: 'clients', label: 'From clients' },
        { key: 'servers', label: 'To servers' },
        { key: 'alerts', label: 'Alert rules' },
      ],
      rows: userRows.map((u) => [
        u.name,
        u.sessions,
        u.failures,
        u.adminTrees,
        listText(u.clients),
        listText(u.servers),
        sorted(this.rulesByUser.get(u.name)).join(', '),
      ]),
      hosts: userRows.map((u) => [...u.clients, ...u.servers].slice(0, 128)),
      users: userRows.map((u) => [u.name]),
      rules: userRows.map((u) => sorted(this.rulesByUser.get(u.name))),
      total: userList.length,
    };
    const who = [
      { key: 'client', label: 'Client' },
      { key: 'server', label: 'Server' },
      { key: 'user', label: 'User' },
    ];
    return {
      hosts,
      users,
      admin: rowsTable(
        [
          { key: 'start', label: 'Mapped at' },
          ...who,
          { key: 'share', label: 'Share' },
          { key: 'duration', label: 'Duration (s)', num: true },
          { key: 'end', label: 'Ended by' },
          { key: 'bytes_written', label: 'Bytes written', num: true },
          { key: 'files', label: 'Files' },
          { key: 'inferred', label: 'Inferred' },
        ],
        this.admin,
        this.adminTotal,
      ),
      services: rowsTable(
        [
          { key: 'time', label: 'Time' },
          ...who,
          { key: 'kind', label: 'Kind' },
          { key: 'operation', label: 'Operation' },
          { key: 'name', label: 'Service / task' },
          { key: 'command', label: 'Binary path / command' },
          { key: 'result', label: 'Result' },
          { key: 'alert', label: 'Alert' },
        ],
        this.services,
        this.servicesTotal,
      ),
      files: rowsTable(
        [
          { key: 'time', label: 'Tree ended' },
          ...who,
          { key: 'share', label: 'Share' },
          { key: 'file', label: 'File' },
          { key: 'bytes_written', label: 'Bytes written (tree)', num: true },
          { key: 'writes', label: 'Writes (tree)', num: true },
        ],
        this.files,
        this.filesTotal,
      ),
    };
  }
}

/** A call and the alert about it share flow, time and operation. */
function callKey(ev: EventObj): string {
  return `${str(ev, 'source.ip')}|${num(ev, 'source.port')}|${str(ev, 'destination.ip')}|${num(ev, 'destination.port')}|${str(ev, '@timestamp')}|${str(ev, 'dcerpc.operation') ?? field(ev, 'dcerpc.opnum')}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sorted(s: Set<string> | undefined): string[] {
  return s === undefined ? [] : [...s].sort(cmp);
}

function listText(s: Set<string>): string {
  const a = [...s].sort(cmp);
  return a.length > 12 ? `${a.slice(0, 12).join(', ')} … (+${a.length - 12})` : a.join(', ');
}
