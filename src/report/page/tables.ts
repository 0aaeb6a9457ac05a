/** Sortable, filterable tables (hosts, users, admin mappings, services/tasks, files): text nodes only. */
import type { Table } from '../page-data';
import { clear, el, fmtCount } from './dom';

export interface Filter {
  host: string;
  user: string;
  rule: string;
}

// rows in the DOM at once: layout of tens of thousands of rows would dominate opening a large report
const MAX_RENDERED = 1000;

export function matches(f: Filter, hosts: string[], users: string[], rules: string[]): boolean {
  if (f.host !== '' && !hosts.some((h) => h.toLowerCase().includes(f.host))) return false;
  if (f.user !== '' && !users.some((u) => u.toLowerCase().includes(f.user))) return false;
  if (f.rule !== '' && !rules.includes(f.rule)) return false;
  return true;
}

export class SortableTable {
  private sortCol = -1;
  private desc = false;
  private readonly tbody: HTMLTableSectionElement;
  private readonly caption: HTMLElement;
  private readonly heads: HTMLTableCellElement[] = [];
  private filter: Filter = { host: '', user: '', rule: '' };

  constructor(
    host: HTMLElement,
    readonly id: string,
    private readonly t: Table,
  ) {
    const table = el('table', 'data');
    table.id = id;
    table.dataset.total = String(t.total);
    const tr = el('tr');
    t.cols.forEach((c, i) => {
      const th = el('th', c.num ? 'num' : null, c.label);
      th.tabIndex = 0;
      th.title = 'sort';
      th.addEventListener('click', () => this.sortBy(i));
      th.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') this.sortBy(i);
      });
      this.heads.push(th);
      tr.appendChild(th);
    });
    table.appendChild(el('thead', null, tr));
    this.tbody = el('tbody');
    table.appendChild(this.tbody);
    this.caption = el('p', 'caption');
    host.appendChild(this.caption);
    host.appendChild(el('div', 'scroll', table));
    this.render();
  }

  setFilter(f: Filter): void {
    this.filter = f;
    this.render();
  }

  private sortBy(i: number): void {
    if (this.sortCol === i) this.desc = !this.desc;
    else {
      this.sortCol = i;
      this.desc = !!this.t.cols[i].num;
    }
    this.heads.forEach((h, j) => (h.dataset.sort = j === i ? (this.desc ? 'desc' : 'asc') : ''));
    this.render();
  }

  private render(): void {
    const t = this.t;
    let idx: number[] = [];
    for (let i = 0; i < t.rows.length; i++) if (matches(this.filter, t.hosts[i], t.users[i], t.rules[i])) idx.push(i);
    if (this.sortCol >= 0) {
      const c = this.sortCol;
      const dir = this.desc ? -1 : 1;
      idx.sort((a, b) => {
        const x = t.rows[a][c];
        const y = t.rows[b][c];
        if (x === y) return a - b;
        if (x === null) return 1;
        if (y === null) return -1;
        return (x < y ? -1 : 1) * dir;
      });
    }
    const shown = idx.length;
    if (idx.length > MAX_RENDERED) idx = idx.slice(0, MAX_RENDERED);
    clear(this.tbody);
    const frag = document.createDocumentFragment();
    for (const i of idx) {
      const tr = el('tr');
      t.rows[i].forEach((v, j) => tr.appendChild(el('td', t.cols[j].num ? 'num' : null, v === null ? '' : typeof v === 'number' ? fmtNum(v) : v)));
      frag.appendChild(tr);
    }
    this.tbody.appendChild(frag);
    let text = `${fmtCount(shown)} rows`;
    if (shown !== t.rows.length) text += ` match the filter (of ${fmtCount(t.rows.length)})`;
    if (t.total > t.rows.length) text += `; the log had ${fmtCount(t.total)}, the page keeps the first ${fmtCount(t.rows.length)}`;
    if (shown > MAX_RENDERED) text += `; the first ${fmtCount(MAX_RENDERED)} are listed: filter or sort to see others`;
    this.caption.textContent = text;
  }
}

function fmtNum(v: number): string {
  return Number.isInteger(v) ? String(v) : String(v);
}
