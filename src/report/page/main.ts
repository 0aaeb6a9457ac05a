/**
 * The report page: reads the data blocks the writer embedded (JSON, parsed — never evaluated or
 * inserted as markup) and builds header, filters, alerts, timeline, hover panel and tables.
 */
import type { AlertEntry, PageData, RunInfo } from '../page-data';
import { byId, clear, el, fmtCount, fmtTime, severityName } from './dom';
import { renderHeader } from './header';
import { type Filter, SortableTable, matches } from './tables';
import { type HoverTarget, Timeline, legend } from './timeline';

const MAX_ALERTS_LISTED = 5000;

function readJson<T>(id: string): T {
  return JSON.parse(byId(id).textContent ?? 'null') as T;
}

function section(id: string, title: string): HTMLElement {
  const s = el('section', null, el('h2', null, title));
  s.id = id;
  return s;
}

function mark(name: string): void {
  // the bench reads these (performance.getEntriesByType('mark'))
  performance.mark(name);
}

function main(): void {
  mark('sw-start');
  const d = readJson<PageData>('sw-data');
  mark('sw-parsed');
  const run = readJson<RunInfo>('sw-run');
  const app = byId('app');

  const header = el('header', null, el('h1', null, 'sharewatch investigation report'));
  renderHeader(header, d, run);
  app.appendChild(header);

  // filters: one bar for alerts and tables
  const fHost = el('input');
  fHost.id = 'f-host';
  fHost.type = 'search';
  fHost.placeholder = 'host (address or name)';
  const fUser = el('input');
  fUser.id = 'f-user';
  fUser.type = 'search';
  fUser.placeholder = 'user';
  const fRule = el('select');
  fRule.id = 'f-rule';
  fRule.appendChild(el('option', null, 'any rule'));
  (fRule.firstChild as HTMLOptionElement).value = '';
  for (const [id, name] of d.counts.byRule) {
    const o = el('option', null, `${id} ${name}`);
    o.value = id;
    fRule.appendChild(o);
  }
  const filters = el('div', 'filters', el('label', null, 'Filter: '), fHost, fUser, fRule);
  filters.id = 'filters';
  const nav = el('nav', null);
  for (const [href, text] of [
    ['#alerts', 'Alerts'],
    ['#timeline-sec', 'Timeline'],
    ['#tables', 'Tables'],
  ]) {
    const a = el('a', null, text);
    a.href = href;
    nav.appendChild(a);
  }
  app.appendChild(el('div', 'sticky', nav, filters));

  // alerts, most severe first
  const alertsSec = section('alerts', `Alerts (${fmtCount(d.alerts.length)})`);
  const alertCount = el('p', 'caption');
  const list = el('ol', 'alerts');
  list.id = 'alert-list';
  alertsSec.appendChild(alertCount);
  alertsSec.appendChild(list);
  app.appendChild(alertsSec);

  // timeline
  const tlSec = section('timeline-sec', 'Timeline');
  const group = el('div', 'controls');
  const mkRadio = (value: string, label: string, checked: boolean): HTMLElement => {
    const r = el('input');
    r.type = 'radio';
    r.name = 'group';
    r.value = value;
    r.id = `group-${value}`;
    r.checked = checked;
    r.addEventListener('change', () => timeline.setGroup(value as 'server' | 'client'));
    const l = el('label', null, r, ` ${label}`);
    return l;
  };
  const resetBtn = el('button', null, 'Whole capture');
  resetBtn.id = 'tl-reset';
  resetBtn.type = 'button';
  group.appendChild(el('span', null, 'Lanes grouped by '));
  group.appendChild(mkRadio('server', 'server', true));
  group.appendChild(mkRadio('client', 'client', false));
  group.appendChild(resetBtn);
  group.appendChild(el('span', 'hint', 'Wheel to zoom (down to 1 ms), drag to pan, the sliders for time and lanes; hover for the fields.'));
  tlSec.appendChild(group);
  tlSec.appendChild(legend());
  const range = el('p', 'range');
  range.id = 'tl-range';
  tlSec.appendChild(range);
  const wrap = el('div', 'tl-wrap');
  const chartHost = el('div', 'chart');
  chartHost.id = 'timeline';
  const hover = el('aside', 'hover');
  hover.id = 'hover';
  hover.appendChild(el('p', 'hint', 'Hover over a bar, tick or diamond to see the event’s fields.'));
  wrap.appendChild(chartHost);
  wrap.appendChild(hover);
  tlSec.appendChild(wrap);
  app.appendChild(tlSec);

  const showDetail = (h: HoverTarget): void => {
    clear(hover);
    if (h.text !== null) hover.appendChild(el('p', null, h.text));
    if (h.detail === null) return;
    const dl = el('dl');
    for (const [k, v] of d.details[h.detail] ?? []) {
      dl.appendChild(el('dt', null, d.keys[k]));
      dl.appendChild(el('dd', null, v === null ? 'null' : String(v)));
    }
    hover.appendChild(dl);
  };
  mark('sw-header');
  const timeline = new Timeline(chartHost, d, showDetail);
  mark('sw-timeline');
  resetBtn.addEventListener('click', () => timeline.reset());

  const alertItem = (a: AlertEntry): HTMLElement => {
    const sev = severityName(a.severity);
    const li = el('li', `alert lvl-${sev}`);
    li.dataset.lane = String(a.lane);
    li.dataset.t = String(d.span.t0 + a.t);
    li.dataset.rule = a.ruleId;
    const focus = el('a', 'focus', 'show in timeline');
    focus.href = '#timeline-sec';
    focus.addEventListener('click', (e) => {
      e.preventDefault();
      timeline.focus(a.lane, a.focus[0], a.focus[1]);
      showDetail({ detail: a.detail, text: null });
      tlSec.scrollIntoView();
    });
    li.appendChild(
      el(
        'div',
        'line1',
        el('span', `sev sev-${sev}`, `${sev} ${a.severity}`),
        ' ',
        el('time', null, fmtTime(d.span.t0 + a.t)),
        ' ',
        el('span', 'rule', `${a.ruleId} ${a.ruleName}`),
        ' ',
        el('span', 'flow', `${a.client} → ${a.server}`),
        a.user ? el('span', 'user', ` ${a.user}`) : null,
        a.count !== null ? el('span', 'count', ` (${fmtCount(a.count)} repeats folded)`) : null,
        ' ',
        focus,
      ),
    );
    li.appendChild(el('p', 'msg', a.message));
    if (a.steps !== null) {
      const ol = el('ol', 'steps');
      for (const s of a.steps) ol.appendChild(el('li', null, el('time', null, s.iso), ' ', el('b', 'step', s.step), ' ', s.summary));
      li.appendChild(el('div', 'chain', el('span', null, `Chain (tool: ${a.tool ?? 'not recognised'}):`), ol));
    }
    return li;
  };

  // tables
  const tablesSec = section('tables', 'Tables');
  const tables: SortableTable[] = [];
  for (const [key, title] of [
    ['admin', 'Admin-share mappings'],
    ['services', 'Services and tasks created'],
    ['files', 'Files written on admin shares'],
    ['hosts', 'Hosts'],
    ['users', 'Users'],
  ] as const) {
    const s = el('div', 'table-block', el('h3', null, title));
    tablesSec.appendChild(s);
    tables.push(new SortableTable(s, `t-${key}`, d.tables[key]));
  }
  app.appendChild(tablesSec);

  const applyFilter = (): void => {
    const f: Filter = { host: fHost.value.trim().toLowerCase(), user: fUser.value.trim().toLowerCase(), rule: fRule.value };
    clear(list);
    let n = 0;
    let listed = 0;
    const frag = document.createDocumentFragment();
    for (const a of d.alerts) {
      if (!matches(f, [a.client, a.server], [a.user], [a.ruleId])) continue;
      n++;
      if (listed < MAX_ALERTS_LISTED) {
        frag.appendChild(alertItem(a));
        listed++;
      }
    }
    list.appendChild(frag);
    alertCount.textContent =
      d.alerts.length === 0
        ? 'No alerts.'
        : `${fmtCount(n)} of ${fmtCount(d.alerts.length)} alerts${listed < n ? `; the first ${fmtCount(listed)} are listed` : ''}, by severity, then time.`;
    for (const t of tables) t.setFilter(f);
  };
  mark('sw-tables-built');
  fHost.addEventListener('input', applyFilter);
  fUser.addEventListener('input', applyFilter);
  fRule.addEventListener('change', applyFilter);
  applyFilter();
  mark('sw-ready');
  document.body.dataset.ready = '1';
}

main();
