/** The page header: inputs, time span, packets/bytes, sensors, counts by action, rule, severity; notes. */
import type { PageData, RunInfo } from '../page-data';
import { el, fmtBytes, fmtCount, fmtDuration, severityName } from './dom';

function row(dl: HTMLElement, label: string, ...value: (Node | string)[]): void {
  dl.appendChild(el('dt', null, label));
  dl.appendChild(el('dd', null, ...value));
}

export function renderHeader(root: HTMLElement, d: PageData, run: RunInfo): void {
  const dl = el('dl', 'facts');
  row(dl, 'Inputs', run.inputs.length ? run.inputs.join(', ') : '(none)');
  if (d.span.first !== null && d.span.last !== null) {
    row(dl, 'Time span', `${d.span.first} – ${d.span.last} (${fmtDuration(d.span.durationMs)})`);
  } else row(dl, 'Time span', 'no events');
  if (run.packets !== null) row(dl, 'Packets', fmtCount(run.packets) + (run.bytes !== null ? ` (${fmtBytes(run.bytes)} read)` : ''));
  row(dl, 'Sensor', d.sensors.length ? d.sensors.join(', ') : 'not named in the events');
  const actions = el('ul', 'inline');
  for (const [a, n] of d.counts.byAction) actions.appendChild(el('li', null, el('code', null, a), ` ${fmtCount(n)}`));
  row(dl, 'Events', el('span', 'count', fmtCount(d.counts.events)), actions);
  const rules = el('ul', 'inline');
  for (const [id, name, n, max] of d.counts.byRule) {
    rules.appendChild(el('li', null, el('span', `sev sev-${severityName(max)}`, severityName(max)), ` ${id} `, el('code', null, name), ` ${fmtCount(n)}`));
  }
  const sev = el('ul', 'inline');
  if (d.counts.bySeverity.length) sev.appendChild(el('li', 'muted', 'by severity:'));
  for (const [s, n] of d.counts.bySeverity) sev.appendChild(el('li', null, el('span', `sev sev-${s}`, s), ` ${fmtCount(n)}`));
  row(dl, 'Alerts', el('span', 'count', fmtCount(d.counts.alerts)), rules, sev);
  root.appendChild(dl);
  const notes: string[] = [];
  const s = d.sampling;
  if (s.sampled) {
    notes.push(
      `Large input: the timeline shows ${fmtCount(s.shownEvents)} events in full and leaves out ${fmtCount(s.omittedEvents)} routine events ` +
        `(${fmtCount(s.omittedSessions)} sessions, a stable sample), drawn as grey density bands. Every alert, the sessions of every alert ` +
        `and of every lateral-movement chain are shown; sessions with admin or hidden shares, failures and service/task/registry calls ` +
        `are kept before routine ones. Counts and tables cover every event.`,
    );
  }
  if (s.tableRowsCut) notes.push('Some tables hold more rows than the page keeps: they show the first rows, the count says how many there were.');
  if (d.counts.badLines.length) {
    notes.push(`Lines that were not events and were skipped: ${d.counts.badLines.map(([r, n]) => `${fmtCount(n)} ${r.replace(/_/g, ' ')}`).join(', ')}.`);
  }
  if (notes.length) {
    const ul = el('ul', 'notes');
    ul.id = 'notes';
    for (const n of notes) ul.appendChild(el('li', null, n));
    root.appendChild(ul);
  }
}
