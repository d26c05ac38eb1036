/**
 * The results page of a run, success first: success rate with 95% Wilson intervals and mean
 * efficiency (success × shortest time / time) with 95% bootstrap intervals per scenario and
 * planner, failures by kind per planner, planner latency (p50/p95), and the summary table (with
 * the secondary normalised return against frozen anchors). Reads
 * `summary.json` through the runs API; falls back to rows computed from the episode records
 * when a run has no summary yet (still running).
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LogarithmicScale,
  Title,
  Tooltip,
  type ChartDataset,
  type Plugin,
} from 'chart.js';
import type { SummaryRow } from '../../core/records.ts';
import { summarize } from '../../core/summary.ts';
import type { RunDetail } from '../protocol.ts';
import { h } from './panels.ts';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LogarithmicScale, Legend, Title, Tooltip);
Chart.defaults.color = '#c9d4df';
Chart.defaults.borderColor = '#2b3642';
Chart.defaults.animation = false;

const PALETTE = ['#ffd166', '#ef476f', '#06d6a0', '#118ab2', '#f78c6b', '#c77dff', '#8ecae6', '#e9c46a'];

type Whiskers = { lo: number; hi: number }[];

/** Draws the confidence interval of each bar as a whisker (chart.js has no error bars). */
const errorBars: Plugin<'bar'> = {
  id: 'errorBars',
  afterDatasetsDraw(chart) {
    const ctx = chart.ctx;
    const y = chart.scales.y;
    chart.data.datasets.forEach((ds, di) => {
      const whiskers = (ds as unknown as { whiskers?: Whiskers }).whiskers;
      const meta = chart.getDatasetMeta(di);
      if (!whiskers || meta.hidden) return;
      ctx.save();
      ctx.strokeStyle = '#e8eef4';
      ctx.lineWidth = 1.5;
      meta.data.forEach((bar, i) => {
        const w = whiskers[i];
        if (!w) return;
        const x = bar.x;
        const top = y.getPixelForValue(w.hi);
        const bottom = y.getPixelForValue(w.lo);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
        ctx.moveTo(x - 4, top);
        ctx.lineTo(x + 4, top);
        ctx.moveTo(x - 4, bottom);
        ctx.lineTo(x + 4, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};

export class ResultsPage {
  private charts: Chart[] = [];

  constructor(private readonly root: HTMLElement) {}

  async show(run: string): Promise<void> {
    this.root.replaceChildren(h('p', { class: 'muted' }, `loading ${run}…`));
    const res = await fetch(`api/runs/${encodeURIComponent(run)}`);
    if (!res.ok) {
      this.root.replaceChildren(h('p', { class: 'error' }, `cannot load run ${run}: ${(await res.json().catch(() => ({ error: res.statusText }))).error}`));
      return;
    }
    const detail = (await res.json()) as RunDetail;
    // A run still going has no summary.json: its rows come from the same `summarize` that writes
    // it, so the page never shows statistics with other meanings than the file.
    const rows = detail.summary?.rows ?? summarize(detail.episodes, null, undefined, { anchors: new Map((detail.anchors ?? []).map((a) => [a.scenario, a])), scenarioHashes: detail.scenarioHashes ?? undefined }).rows;
    this.draw(run, rows, detail.summary === null);
  }

  private draw(run: string, rows: SummaryRow[], provisional: boolean): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    const grid = h('div', { class: 'charts' });
    this.root.replaceChildren(h('h2', {}, `results · ${run}`));
    if (provisional) this.root.append(h('p', { class: 'muted' }, 'no summary.json yet: rows computed from the episodes finished so far'));
    this.root.append(rows.length ? grid : h('p', { class: 'muted' }, 'this run has no episodes yet'));
    if (!rows.length) return;
    const planners = [...new Set(rows.map((r) => r.planner))];
    const scenarios = [...new Set(rows.map((r) => r.scenario))];
    const color = (p: string) => PALETTE[planners.indexOf(p) % PALETTE.length];
    const row = (s: string, p: string) => rows.find((r) => r.scenario === s && r.planner === p);

    // Success rate with 95% CI
    const success: (ChartDataset<'bar'> & { whiskers: Whiskers })[] = planners.map((p) => ({
      label: p,
      data: scenarios.map((s) => row(s, p)?.successRate ?? 0),
      backgroundColor: color(p),
      whiskers: scenarios.map((s) => {
        const r = row(s, p);
        return r ? { lo: r.ci95[0], hi: r.ci95[1] } : { lo: 0, hi: 0 };
      }),
    }));
    this.chart(grid, 'success', 'success rate (95% Wilson CI)', { labels: scenarios, datasets: success }, { y: { min: 0, max: 1, ticks: { stepSize: 0.25, callback: percentTick }, title: axisTitle('episodes that succeeded') } }, [errorBars]);

    // Efficiency with 95% CI (records written before efficiency existed have none)
    if (rows.some((r) => r.efficiency !== null)) {
      const efficiency: (ChartDataset<'bar'> & { whiskers: Whiskers })[] = planners.map((p) => ({
        label: p,
        data: scenarios.map((s) => row(s, p)?.efficiency ?? 0),
        backgroundColor: color(p),
        whiskers: scenarios.map((s) => {
          const ci = row(s, p)?.efficiencyCi95;
          return ci ? { lo: ci[0], hi: ci[1] } : { lo: 0, hi: 0 };
        }),
      }));
      this.chart(grid, 'efficiency', 'efficiency: success × shortest time / time (95% CI)', { labels: scenarios, datasets: efficiency }, { y: { min: 0, max: 1 } }, [errorBars]);
    }

    // Failures by kind
    const kinds = new Set<string>();
    for (const r of rows) {
      for (const k of Object.keys(r.failures ?? {})) kinds.add(`outcome: ${k}`);
      for (const k of Object.keys(r.failureCategories ?? {})) kinds.add(`decision: ${k}`);
    }
    const failures: ChartDataset<'bar'>[] = [...kinds].map((k, i) => ({
      label: k,
      backgroundColor: PALETTE[i % PALETTE.length],
      data: planners.map((p) =>
        rows
          .filter((r) => r.planner === p)
          .reduce((n, r) => n + (k.startsWith('outcome: ') ? (r.failures?.[k.slice(9)] ?? 0) : ((r.failureCategories as Record<string, number>)?.[k.slice(10)] ?? 0)), 0),
      ),
    }));
    this.chart(grid, 'failures', 'failures by kind (all scenarios)', { labels: planners, datasets: failures }, { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: axisTitle('episodes (outcome) or decisions') } });

    // Latency
    const worst = (p: string, key: 'plannerMsP50' | 'plannerMsP95') => Math.max(1e-3, ...rows.filter((r) => r.planner === p).map((r) => r[key]));
    this.chart(
      grid,
      'latency',
      'planner latency per decision, ms (worst scenario)',
      {
        labels: planners,
        datasets: [
          { label: 'p50', data: planners.map((p) => worst(p, 'plannerMsP50')), backgroundColor: '#118ab2' },
          { label: 'p95', data: planners.map((p) => worst(p, 'plannerMsP95')), backgroundColor: '#ef476f' },
        ],
      },
      { y: { type: 'logarithmic', ticks: { callback: logTick }, title: axisTitle('ms per decision (log scale)') } },
    );

    this.root.append(summaryTable(rows));
  }

  private chart(parent: HTMLElement, id: string, title: string, data: Chart<'bar'>['data'], scales: Record<string, object>, plugins: Plugin<'bar'>[] = []): void {
    const canvas = h('canvas', { 'data-chart': id }) as HTMLCanvasElement;
    parent.append(h('div', { class: 'chart-box' }, canvas));
    this.charts.push(
      new Chart(canvas, {
        type: 'bar',
        data,
        plugins,
        options: { responsive: true, maintainAspectRatio: false, plugins: { title: { display: true, text: title } }, scales },
      }),
    );
  }
}

/** Axis titles in the charts' muted text colour. */
function axisTitle(text: string): object {
  return { display: true, text, color: '#8796a5' };
}

/** 0.25 → "25%". */
function percentTick(v: number | string): string {
  return `${Math.round(Number(v) * 100)}%`;
}

/** Log-axis labels at the powers of ten only, written plainly ("0.01", "1", "1000"; chart.js's
 * default writes "50.000" and labels minor ticks, which crowd each other in a small chart). */
function logTick(v: number | string): string {
  const x = Number(v);
  if (!(x > 0)) return '';
  const decade = 10 ** Math.floor(Math.log10(x) + 1e-9);
  const m = x / decade;
  if (Math.abs(m - 1) > 1e-6) return '';
  return x >= 1 ? String(Math.round(x)) : String(Number(x.toPrecision(1)));
}

function summaryTable(rows: SummaryRow[]): HTMLElement {
  // [header, text, raw value (kept on the cell as data-value, so a test can compare the page with summary.json)]
  // Success and efficiency first; the normalised return (against frozen anchors) is secondary.
  const cols: [string, (r: SummaryRow) => string, (r: SummaryRow) => unknown][] = [
    ['scenario', (r) => r.scenario, (r) => r.scenario],
    ['planner', (r) => r.planner, (r) => r.planner],
    ['episodes', (r) => String(r.episodes), (r) => r.episodes],
    ['success', (r) => `${(r.successRate * 100).toFixed(0)}% [${(r.ci95[0] * 100).toFixed(0)}, ${(r.ci95[1] * 100).toFixed(0)}]`, (r) => [r.successRate, ...r.ci95]],
    ['efficiency', (r) => (r.efficiency === null ? '—' : `${r.efficiency.toFixed(2)}${r.efficiencyCi95 ? ` [${r.efficiencyCi95[0].toFixed(2)}, ${r.efficiencyCi95[1].toFixed(2)}]` : ''}`), (r) => r.efficiency],
    ['norm. return', (r) => (r.normalizedScore === null ? '—' : `${r.normalizedScore.toFixed(2)}${r.normalizedCi95 ? ` [${r.normalizedCi95[0].toFixed(2)}, ${r.normalizedCi95[1].toFixed(2)}]` : ''}`), (r) => r.normalizedScore],
    ['mean return', (r) => r.meanReturn.toFixed(2), (r) => r.meanReturn],
    ['steps', (r) => r.meanSteps.toFixed(0), (r) => r.meanSteps],
    ['collisions', (r) => r.meanCollisions.toFixed(2), (r) => r.meanCollisions],
    ['p50 ms', (r) => ms(r.plannerMsP50), (r) => r.plannerMsP50],
    ['p95 ms', (r) => ms(r.plannerMsP95), (r) => r.plannerMsP95],
  ];
  // Why a normalised return is missing (no anchor, stale anchor, degenerate span) shows on hover.
  const cell = (r: SummaryRow, [name, text, raw]: (typeof cols)[number]) =>
    h('td', { 'data-col': name, 'data-value': JSON.stringify(raw(r)), ...(name === 'norm. return' && r.normalizedNote ? { title: r.normalizedNote } : {}) }, text(r));
  return h('table', { class: 'summary' }, h('tr', {}, ...cols.map(([c]) => h('th', {}, c))), ...rows.map((r) => h('tr', {}, ...cols.map((c) => cell(r, c)))));
}

function ms(v: number): string {
  return v >= 10 ? v.toFixed(0) : v >= 0.1 ? v.toFixed(2) : v.toPrecision(2);
}
