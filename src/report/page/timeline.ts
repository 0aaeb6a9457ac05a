/**
 * The timeline: Apache ECharts (canvas renderer, custom series) with one swimlane per client →
 * server pair. Sessions are bars, trees bars inside them coloured by share class (admin red),
 * failures and DCE/RPC calls ticks (service/task/registry calls with a marker head), alerts
 * diamonds, sampled-out events a grey density band. Zoom: mouse wheel / drag / the slider, from the
 * whole span down to 1 ms; bars never get thinner than 3 px so a 5 ms mapping stays visible in a
 * two-hour capture. Lane labels are drawn on the canvas (text, never markup).
 */
import * as echarts from 'echarts/core';
import { CustomChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { PageData } from '../page-data';
import { byId, el, fmtDuration, fmtTime } from './dom';

echarts.use([CustomChart, GridComponent, DataZoomComponent, CanvasRenderer]);

export type GroupBy = 'server' | 'client';

const CLASS_COLORS = ['#4e79a7', '#d62728', '#9aa7b8', '#f28e2b', '#b07aa1'];
const CLASS_NAMES = ['normal', 'admin', 'IPC$', 'hidden', 'unknown'];
const TICK_COLORS: Record<number, string> = { 0: '#d62728', 1: '#7f7f7f', 2: '#6a3d9a', 3: '#e6a100', 4: '#17becf', 5: '#2ca02c' };
const TICK_NAMES: Record<number, string> = { 0: 'failure', 1: 'RPC call', 2: 'service call', 3: 'task call', 4: 'registry call', 5: 'sensitive RPC call' };
const SEV_COLORS: [number, string][] = [
  [99, '#7b0000'],
  [73, '#d62728'],
  [47, '#ff7f0e'],
  [0, '#e6c229'],
];
const MIN_BAR_PX = 3;
const VISIBLE_LANES = 24;
const PAD = 0.02;

type Api = {
  value: (d: number) => number;
  coord: (v: number[]) => number[];
  size: (v: number[]) => number[];
};
type Params = { coordSys: { x: number; y: number; width: number; height: number }; dataIndex: number };

export interface HoverTarget {
  detail: number | null;
  text: string | null;
}

function sevColor(s: number): string {
  for (const [min, c] of SEV_COLORS) if (s >= min) return c;
  return '#e6c229';
}

function ipKey(ip: string): string {
  // IPv4 sorts numerically, IPv6 after it
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  return m ? '4' + m.slice(1).map((x) => x.padStart(3, '0')).join('.') : '6' + ip;
}

export class Timeline {
  private readonly chart: echarts.ECharts;
  private readonly d: PageData;
  private readonly t0: number;
  private readonly xMin: number;
  private readonly xMax: number;
  private posOf: number[] = [];
  private laneAt: number[] = [];
  private stripe: boolean[] = [];
  private group: GroupBy = 'server';
  private focusLane = -1;
  private readonly rangeEl: HTMLElement;

  constructor(
    host: HTMLElement,
    d: PageData,
    private readonly onHover: (h: HoverTarget) => void,
  ) {
    this.d = d;
    this.t0 = d.span.t0;
    const dur = Math.max(d.span.durationMs, 1);
    let maxT = 0;
    for (const s of d.sessions) maxT = Math.max(maxT, s[1]);
    for (const s of d.trees) maxT = Math.max(maxT, s[1]);
    const end = Math.max(dur, maxT);
    let minT = 0;
    for (const s of d.sessions) minT = Math.min(minT, s[0]);
    for (const s of d.trees) minT = Math.min(minT, s[0]);
    this.xMin = this.t0 + minT - (end - minT) * PAD;
    this.xMax = this.t0 + end + (end - minT) * PAD;
    this.rangeEl = byId('tl-range');
    const lanesPx = Math.min(Math.max(d.lanes.length, 3), VISIBLE_LANES) * 34 + 110;
    host.style.height = `${lanesPx}px`;
    this.chart = echarts.init(host, undefined, { renderer: 'canvas' });
    this.order();
    this.chart.setOption(this.baseOption());
    this.chart.setOption({ series: this.series() });
    this.chart.on('datazoom', () => this.report());
    this.chart.on('mouseover', (p: unknown) => this.hover(p as { seriesId?: string; data?: number[] }));
    this.chart.on('click', (p: unknown) => this.hover(p as { seriesId?: string; data?: number[] }));
    window.addEventListener('resize', () => this.chart.resize());
    this.report();
  }

  /** lane positions for the current grouping */
  private order(): void {
    const idx = this.d.lanes.map((_, i) => i);
    const l = this.d.lanes;
    // the "other pairs" lane last
    const k = (i: number): string =>
      l[i].others !== undefined ? '~' : this.group === 'server' ? ipKey(l[i].server) + '|' + ipKey(l[i].client) : ipKey(l[i].client) + '|' + ipKey(l[i].server);
    idx.sort((a, b) => {
      const ka = k(a);
      const kb = k(b);
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
    this.laneAt = idx;
    this.posOf = new Array(idx.length);
    idx.forEach((lane, pos) => (this.posOf[lane] = pos));
    // alternate shading per server (or client) group
    this.stripe = [];
    let g = 0;
    let prev = '';
    for (const lane of idx) {
      const key = this.group === 'server' ? l[lane].server : l[lane].client;
      if (key !== prev) {
        g++;
        prev = key;
      }
      this.stripe.push(g % 2 === 0);
    }
  }

  private laneLabel(i: number): string {
    const l = this.d.lanes[i];
    if (l.others !== undefined) return `${l.others} other pairs (left out)`;
    const c = l.clientNames.length ? `${l.clientNames[0]} ${l.client}` : l.client;
    const s = l.serverNames.length ? `${l.serverNames[0]} ${l.server}` : l.server;
    const text = `${c} → ${s}`;
    return text.length > 60 ? text.slice(0, 59) + '…' : text;
  }

  private baseOption(): echarts.EChartsCoreOption {
    const n = this.d.lanes.length;
    const yZoom = n > VISIBLE_LANES;
    return {
      animation: false,
      useUTC: true,
      grid: { left: 250, right: yZoom ? 50 : 20, top: 10, bottom: 70 },
      xAxis: {
        type: 'time',
        min: this.xMin,
        max: this.xMax,
        axisLabel: { hideOverlap: true },
        splitLine: { show: true, lineStyle: { color: '#eee' } },
      },
      yAxis: {
        type: 'category',
        inverse: true,
        data: this.laneAt.map((i) => this.laneLabel(i)),
        axisLabel: { fontSize: 11, width: 240, overflow: 'truncate', rich: undefined },
        splitLine: { show: true, lineStyle: { color: '#f0f0f0' } },
        axisTick: { show: false },
      },
      dataZoom: [
        { type: 'inside', id: 'x-in', xAxisIndex: 0, filterMode: 'weakFilter', minValueSpan: 1, zoomOnMouseWheel: true, moveOnMouseMove: true, moveOnMouseWheel: false },
        { type: 'slider', id: 'x-slider', xAxisIndex: 0, filterMode: 'weakFilter', minValueSpan: 1, bottom: 15, height: 22, labelFormatter: (v: number) => fmtTime(v).slice(11) },
        {
          type: 'slider',
          id: 'y-slider',
          yAxisIndex: 0,
          filterMode: 'weakFilter',
          show: yZoom,
          right: 8,
          width: 18,
          startValue: 0,
          endValue: yZoom ? VISIBLE_LANES - 1 : Math.max(n - 1, 0),
          showDetail: false,
          zoomLock: false,
        },
      ],
    };
  }

  private series(): unknown[] {
    const d = this.d;
    const t0 = this.t0;
    const p = this.posOf;
    const bar = (hFrac: number, color: (row: number[]) => string, dashed: (row: number[]) => boolean, rows: number[][], offset?: (row: number[]) => number) =>
      (params: Params, api: Api) => {
        const row = rows[params.dataIndex];
        const y = api.value(2);
        const a = api.coord([api.value(0), y]);
        const b = api.coord([api.value(1), y]);
        const band = api.size([0, 1])[1];
        const h = Math.max(band * hFrac, 3);
        if (offset) {
          a[1] += offset(row) * h;
          b[1] = a[1];
        }
        let x = a[0];
        let w = b[0] - a[0];
        if (w < MIN_BAR_PX) {
          x -= (MIN_BAR_PX - w) / 2;
          w = MIN_BAR_PX;
        }
        const shape = echarts.graphic.clipRectByRect({ x, y: a[1] - h / 2, width: w, height: h }, params.coordSys);
        if (!shape) return null;
        const c = color(row);
        return {
          type: 'rect',
          shape,
          style: dashed(row) ? { fill: 'rgba(255,255,255,0.6)', stroke: c, lineWidth: 1.5, lineDash: [3, 2] } : { fill: c, stroke: 'rgba(0,0,0,0.35)', lineWidth: 0.5 },
        };
      };
    const sessions = d.sessions.map((s) => [t0 + s[0], t0 + s[1], p[s[2]], s[3], s[4]]);
    const trees = d.trees.map((s) => [t0 + s[0], t0 + s[1], p[s[2]], s[3], s[4], s[5] ?? 0]);
    const density = d.density.map((s) => [t0 + s[0], t0 + s[1], p[s[2]], s[3]]);
    const ticks = d.ticks.map((s) => [t0 + s[0], t0 + s[0], p[s[1]], s[2], s[3]]);
    const marks = d.marks.map((s) => [t0 + s[0], t0 + s[0], p[s[1]], s[2], s[3]]);
    let maxDensity = 1;
    for (const r of density) maxDensity = Math.max(maxDensity, r[3]);
    const focusPos = this.focusLane >= 0 ? p[this.focusLane] : -1;
    const lanesBg = this.laneAt.map((_, pos) => [this.xMin, this.xMax, pos]);
    const common = { type: 'custom', encode: { x: [0, 1], y: 2 }, clip: true };
    return [
      {
        ...common,
        id: 'lanes',
        silent: true,
        data: lanesBg,
        renderItem: (params: Params, api: Api) => {
          const pos = api.value(2);
          const c = api.coord([this.xMin, pos]);
          const band = api.size([0, 1])[1];
          const shape = echarts.graphic.clipRectByRect({ x: params.coordSys.x, y: c[1] - band / 2, width: params.coordSys.width, height: band }, params.coordSys);
          if (!shape) return null;
          const fill = pos === focusPos ? 'rgba(255, 220, 80, 0.35)' : this.stripe[pos] ? 'rgba(0,0,0,0.035)' : 'rgba(0,0,0,0)';
          return { type: 'rect', shape, style: { fill } };
        },
      },
      {
        ...common,
        id: 'density',
        data: density,
        renderItem: bar(0.9, (r) => `rgba(120,120,120,${(0.12 + 0.5 * Math.log1p(r[3]) / Math.log1p(maxDensity)).toFixed(3)})`, () => false, density),
      },
      {
        ...common,
        id: 'sessions',
        data: sessions,
        renderItem: bar(0.78, (r) => (r[4] & 2 ? '#c9d3e0' : '#dbe6f3'), (r) => (r[4] & 1) !== 0, sessions),
      },
      {
        ...common,
        id: 'trees',
        data: trees,
        // concurrent trees on three rows: middle, above, below
        renderItem: bar(0.24, (r) => CLASS_COLORS[r[4] & 7] ?? '#999', (r) => (r[4] & 8) !== 0 || (r[4] & 16) !== 0, trees, (r) => [0, -1, 1][r[5]] ?? 0),
        z: 3,
      },
      {
        ...common,
        id: 'ticks',
        data: ticks,
        z: 4,
        renderItem: (params: Params, api: Api) => {
          const row = ticks[params.dataIndex];
          const c = api.coord([api.value(0), api.value(2)]);
          const band = api.size([0, 1])[1];
          const cs = params.coordSys;
          if (c[0] < cs.x - 4 || c[0] > cs.x + cs.width + 4) return null;
          const kind = row[4] & 7;
          const failed = (row[4] & 8) !== 0 || kind === 0;
          const color = failed ? TICK_COLORS[0] : TICK_COLORS[kind];
          const top = c[1] - band * 0.45;
          const children: unknown[] = [{ type: 'line', shape: { x1: c[0], y1: top, x2: c[0], y2: c[1] + band * 0.1 }, style: { stroke: color, lineWidth: 2 } }];
          if (kind >= 2 && kind <= 5) children.push({ type: 'polygon', shape: { points: [[c[0] - 4, top - 5], [c[0] + 4, top - 5], [c[0], top + 1]] }, style: { fill: TICK_COLORS[kind], stroke: failed ? TICK_COLORS[0] : '#fff', lineWidth: 1 } });
          if (kind === 0) children.push({ type: 'line', shape: { x1: c[0] - 3, y1: top, x2: c[0] + 3, y2: top + 6 }, style: { stroke: color, lineWidth: 2 } });
          return { type: 'group', children };
        },
      },
      {
        ...common,
        id: 'marks',
        data: marks,
        z: 5,
        renderItem: (params: Params, api: Api) => {
          const row = marks[params.dataIndex];
          const c = api.coord([api.value(0), api.value(2)]);
          const cs = params.coordSys;
          if (c[0] < cs.x - 8 || c[0] > cs.x + cs.width + 8) return null;
          const r = 7;
          return {
            type: 'polygon',
            shape: { points: [[c[0], c[1] - r], [c[0] + r, c[1]], [c[0], c[1] + r], [c[0] - r, c[1]]] },
            style: { fill: sevColor(row[4]), stroke: '#000', lineWidth: 1 },
          };
        },
      },
    ];
  }

  private hover(p: { seriesId?: string; data?: number[] }): void {
    const r = p.data;
    if (!r) return;
    switch (p.seriesId) {
      case 'sessions':
      case 'trees':
      case 'ticks':
      case 'marks':
        this.onHover({ detail: r[3], text: null });
        break;
      case 'density':
        this.onHover({ detail: null, text: `${r[3]} routine events left out of the page between ${fmtTime(r[0])} and ${fmtTime(r[1])} UTC (counted in the tables)` });
        break;
    }
  }

  setGroup(g: GroupBy): void {
    if (g === this.group) return;
    const range = this.lanesRange();
    const firstLane = this.laneAt[range[0]];
    this.group = g;
    this.order();
    const n = this.d.lanes.length;
    const span = range[1] - range[0];
    const start = Math.max(0, Math.min(this.posOf[firstLane] ?? 0, n - 1 - span));
    this.chart.setOption({ yAxis: { data: this.laneAt.map((i) => this.laneLabel(i)) }, series: this.series() });
    this.chart.dispatchAction({ type: 'dataZoom', dataZoomId: 'y-slider', startValue: start, endValue: start + span });
    this.report();
  }

  /** Show [from, to] (ms after t0) on the lane, with a few lanes around it. */
  focus(lane: number, from: number, to: number): void {
    this.focusLane = lane;
    this.chart.setOption({ series: this.series() });
    const n = this.d.lanes.length;
    const pos = this.posOf[lane] ?? 0;
    const show = Math.min(n, VISIBLE_LANES);
    let start = Math.max(0, pos - Math.floor(show / 2));
    if (start + show > n) start = Math.max(0, n - show);
    const a = Math.max(this.xMin, this.t0 + from);
    const b = Math.min(this.xMax, Math.max(this.t0 + to, a + 1));
    this.chart.dispatchAction({
      type: 'dataZoom',
      batch: [
        { dataZoomId: 'x-in', startValue: a, endValue: b },
        { dataZoomId: 'x-slider', startValue: a, endValue: b },
        { dataZoomId: 'y-slider', startValue: start, endValue: start + show - 1 },
      ],
    });
    this.report();
  }

  reset(): void {
    this.focusLane = -1;
    this.chart.setOption({ series: this.series() });
    const n = this.d.lanes.length;
    this.chart.dispatchAction({
      type: 'dataZoom',
      batch: [
        { dataZoomId: 'x-in', start: 0, end: 100 },
        { dataZoomId: 'x-slider', start: 0, end: 100 },
        { dataZoomId: 'y-slider', startValue: 0, endValue: Math.min(n, VISIBLE_LANES) - 1 },
      ],
    });
    this.report();
  }

  private lanesRange(): [number, number] {
    const n = this.d.lanes.length;
    const m = (this.chart as unknown as { getModel(): { getComponent(t: string, i: number): { getValueRange(d: string, i: number): number[] } } }).getModel();
    try {
      const r = m.getComponent('dataZoom', 2).getValueRange('y', 0);
      return [Math.max(0, Math.ceil(r[0])), Math.min(n - 1, Math.floor(r[1]))];
    } catch {
      return [0, n - 1];
    }
  }

  private timeRange(): [number, number] {
    const m = (this.chart as unknown as { getModel(): { getComponent(t: string, i: number): { getValueRange(d: string, i: number): number[] } } }).getModel();
    const r = m.getComponent('dataZoom', 0).getValueRange('x', 0);
    return [r[0], r[1]];
  }

  /** The visible range, in the page (text for the reader; data-* attributes for tests and tools). */
  private report(): void {
    const [a, b] = this.timeRange();
    const [l0, l1] = this.lanesRange();
    const e = this.rangeEl;
    e.dataset.from = String(a);
    e.dataset.to = String(b);
    e.dataset.lanes = this.laneAt.slice(l0, l1 + 1).join(',');
    e.textContent = `Showing ${fmtTime(a)} – ${fmtTime(b)} UTC (${fmtDuration(b - a)}), lanes ${l0 + 1}–${l1 + 1} of ${this.d.lanes.length}`;
  }
}

export function legend(): HTMLElement {
  const ul = el('ul', 'legend');
  const sw = (cls: string, color: string, label: string): HTMLElement => {
    const s = el('span', cls);
    s.style.background = color;
    return el('li', null, s, label);
  };
  ul.appendChild(sw('sw bar', '#dbe6f3', 'session'));
  CLASS_NAMES.forEach((n, i) => ul.appendChild(sw('sw tree', CLASS_COLORS[i], `${n} share`)));
  ul.appendChild(sw('sw tree dashed', '#fff', 'inferred / still open'));
  for (const k of [0, 2, 3, 4, 5, 1]) ul.appendChild(sw('sw tick', TICK_COLORS[k], TICK_NAMES[k]));
  ul.appendChild(sw('sw diamond', '#d62728', 'alert'));
  ul.appendChild(sw('sw bar', 'rgba(120,120,120,0.5)', 'left-out routine events'));
  return ul;
}
