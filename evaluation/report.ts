/**
 * `planarena report`: a run's analysis as Markdown (for terminals, PRs and CI summaries) and as
 * one self-contained HTML file with inline SVG plots (no scripts, no network). Success first:
 * per-scenario success with Wilson intervals and efficiency with bootstrap intervals, then the
 * score IQM, probability of improvement, paired head-to-head tests, the secondary normalised
 * return, failure categories and latency distributions.
 *
 * Both formats are rendered from the same tables, so they always say the same thing.
 */
import { latencySummary, type RunAnalysis } from './analysis.ts';
import { foldLevelRows, type Generalisation } from './generalisation.ts';
import { wilson } from '../core/summary.ts';
import { boxPlots, esc, intervalChart, profileChart, stackedBars } from './svg.ts';
import type { RunManifest } from '../core/records.ts';

export interface ReportMeta {
  title: string;
  /** Where the run lives, as the user named it. */
  runDir: string;
  manifest: RunManifest;
  /** Further runs reported together with the first (e.g. open-train, open-test and open-ood runs). */
  more?: { runDir: string; manifest: RunManifest }[];
}

interface Table {
  title: string;
  note?: string;
  headers: string[];
  rows: string[][];
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '–');
const num = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const pval = (p: number) => (p < 0.001 ? '<0.001' : p.toFixed(3));
const stars = (p: number) => (p < 0.01 ? ' **' : p < 0.05 ? ' *' : '');

function scoreName(a: RunAnalysis): string {
  return a.scoreKind === 'efficiency' ? 'efficiency' : 'success (0/1)';
}

const estimate = (i: { point: number; lo: number; hi: number } | null) => (i ? `${num(i.point)} [${num(i.lo)}, ${num(i.hi)}]` : '–');
const pair = (v: number | null, ci: [number, number] | null) => (v === null ? '–' : ci ? `${num(v)} [${num(ci[0])}, ${num(ci[1])}]` : num(v));

/** How the normalised return was made, or why it is not shown. */
function normalizedText(a: RunAnalysis): string {
  return a.normalizedNote
    ? `Normalised return not shown: ${a.normalizedNote}.`
    : 'Normalised return (secondary): (return − random) / (oracle − random) against the frozen anchors in scenarios/anchors/, the anchors\' uncertainty propagated into the intervals, clipped to [0, 1].';
}

function tables(a: RunAnalysis): Table[] {
  const out: Table[] = [];
  out.push({
    title: 'Planners',
    note: `Success first (Wilson 95%), then the per-episode score, ${scoreName(a)}${a.scoreKind === 'efficiency' ? ' = success × shortest feasible time / time' : ''}: IQM and mean pooled over scenarios with ${a.bootstrap.reps} bootstrap resamples stratified by scenario (generated levels: by family and split) (seed ${a.bootstrap.seed}), 95% percentile intervals. ${normalizedText(a)}`,
    headers: ['planner', 'episodes', 'success [95% CI]', `${scoreName(a)} mean [95% CI]`, `${scoreName(a)} IQM [95% CI]`, 'norm. return mean [95% CI]', 'wall s'],
    rows: a.aggregates.map((g) => [
      g.planner,
      String(g.episodes),
      `${pct(g.successRate)} [${pct(g.successCi[0])}, ${pct(g.successCi[1])}]`,
      estimate(g.scoreMean),
      estimate(g.scoreIqm),
      estimate(g.normalizedMean),
      num(g.wallSeconds, 1),
    ]),
  });
  if (a.generalisation) out.push(...gapTables(a.generalisation));
  out.push({
    title: 'Per scenario',
    note: `Efficiency: mean of success × shortest feasible time / time (0 on failure), 95% bootstrap interval; SPL: success × shortest path / path. The shortest feasible path and time are computed from the true layout at reset, never shown to planners.${a.generalisation ? ' Generated levels are folded into one row per family, split and planner (Wilson intervals over their episodes; folded efficiencies without intervals).' : ''}`,
    headers: ['scenario', 'planner', 'n', 'success [95% CI]', 'efficiency [95% CI]', 'SPL', 'norm. return [95% CI]', 'mean return', 'steps', 'collisions'],
    rows: foldLevelRows(a.rows).map((r) => [
      r.scenario,
      r.planner,
      String(r.episodes),
      `${pct(r.successRate)} [${pct(r.ci95[0])}, ${pct(r.ci95[1])}]`,
      pair(r.efficiency, r.efficiencyCi95),
      r.spl === null ? '–' : num(r.spl),
      pair(r.normalizedScore, r.normalizedCi95),
      num(r.meanReturn),
      num(r.meanSteps, 0),
      num(r.meanCollisions, 1),
    ]),
  });
  if (a.headToHead.length > 0) {
    out.push({
      title: 'Head to head (paired on identical scenario and seed)',
      note: `A-only / B-only: pairs where only A / only B succeeded; McNemar exact p on success. Δ success: success rate of A − B with a paired bootstrap interval stratified by scenario (generated levels: by family and split). Δ ${scoreName(a)} and Δ return: mean(A − B) with a paired stratified bootstrap interval; p from the paired sign-flip permutation test (exact up to 20 pairs). P(A > B): probability of improvement in ${scoreName(a)}, Mann-Whitney per stratum averaged. * p < 0.05, ** p < 0.01 (uncorrected; \`planarena compare\` applies Holm across rows).`,
      headers: ['A vs B', 'pairs', 'A-only / B-only', 'McNemar p', 'Δ success [95% CI]', `Δ ${scoreName(a)} [95% CI]`, 'p', 'P(A > B) [95% CI]', 'Δ return [95% CI]', 'p'],
      rows: a.headToHead.map((h) => [
        `${h.a} vs ${h.b}`,
        String(h.pairs),
        `${h.success.aOnly} / ${h.success.bOnly}`,
        pval(h.success.pValue) + stars(h.success.pValue),
        estimate(h.successDiff),
        estimate(h.scoreDiff),
        pval(h.scoreDiff.pValue) + stars(h.scoreDiff.pValue),
        estimate(h.improvement),
        estimate(h.returnDiff),
        pval(h.returnDiff.pValue) + stars(h.returnDiff.pValue),
      ]),
    });
  }
  const outcomeKeys = [...new Set(a.aggregates.flatMap((g) => Object.keys(g.outcomes)))].sort();
  const categoryKeys = [...new Set(a.aggregates.flatMap((g) => Object.keys(g.failureCategories)))].sort();
  out.push({
    title: 'Outcomes and failure categories',
    note: 'Outcomes count episodes; categories count decisions (LLM taxonomy) and robot collisions.',
    headers: ['planner', ...outcomeKeys, ...categoryKeys.map((c) => `#${c}`)],
    rows: a.aggregates.map((g) => [
      g.planner,
      ...outcomeKeys.map((k) => String(g.outcomes[k] ?? 0)),
      ...categoryKeys.map((k) => String(g.failureCategories[k as keyof typeof g.failureCategories] ?? 0)),
    ]),
  });
  out.push({
    title: 'Latency, tokens and cost',
    note: 'Decision latency across episodes: median of per-episode p50, p95 of per-episode p95, worst per-episode p95. Tokens and cost sum the planners\' own counters whose names mention tokens (not "estimated") and USD.',
    headers: ['planner', 'ms p50', 'ms p95', 'ms max p95', 'tokens / episode', 'cost / episode (USD)', 'cost total (USD)'],
    rows: a.aggregates.map((g) => {
      const p50 = latencySummary(g.latencyP50);
      const p95 = latencySummary(g.latencyP95);
      const tokens = sumCounters(g.counters, TOKEN_KEY);
      const cost = sumCounters(g.counters, COST_KEY);
      return [
        g.planner,
        num(p50.p50, 2),
        num(p95.p95, 2),
        num(p95.max, 2),
        tokens ? trim(tokens.perEpisode) : '–',
        cost ? cost.perEpisode.toPrecision(3) : '–',
        cost ? cost.total.toPrecision(3) : '–',
      ];
    }),
  });
  const counterRows = a.aggregates.flatMap((g) =>
    Object.entries(g.counters)
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([k, c]) => [g.planner, k, trim(c.total), trim(c.perEpisode)]),
  );
  if (counterRows.length > 0) {
    out.push({ title: 'Planner counters', note: 'Every counter the planners report per episode (LLM calls, retries, tokens, world-model planning statistics, ...).', headers: ['planner', 'counter', 'total', 'per episode'], rows: counterRows });
  }
  if (a.errors.length > 0) {
    out.push({
      title: 'Episode errors',
      headers: ['scenario', 'planner', 'seed', 'error'],
      rows: a.errors.map((e) => [e.scenario, e.planner, String(e.seed), e.error]),
    });
  }
  return out;
}

const interval = (i: { point: number; lo: number; hi: number }) => `${pct(i.point)} [${pct(i.lo)}, ${pct(i.hi)}]`;
const signed = (i: { point: number; lo: number; hi: number }) => {
  const p = (x: number) => {
    if (!Number.isFinite(x)) return '–';
    const v = Math.round(100 * x);
    return v === 0 ? '0' : `${v > 0 ? '+' : ''}${v}`;
  };
  return `${p(i.point)} pp [${p(i.lo)}, ${p(i.hi)}]`;
};

/** The generalisation gap per planner, then success per family and split. */
function gapTables(g: Generalisation): Table[] {
  const cell = (r: Generalisation['rows'][number], split: 'train' | 'test' | 'ood') => {
    const s = r.splits[split];
    return s ? `${interval(s.success)} (${s.levels} levels, ${s.episodes} ep.)` : '–';
  };
  const gap: Table = {
    title: 'Generalisation gap (generated levels)',
    note: 'Success on the train, test and ood splits of the procedural families, and test − train, ood − train in percentage points. 95% intervals: cluster bootstrap over levels, stratified by family (a level\'s episodes resampled together).',
    headers: ['planner', 'train', 'test', 'ood', 'test − train', 'ood − train'],
    rows: g.rows.map((r) => [r.planner, cell(r, 'train'), cell(r, 'test'), cell(r, 'ood'), r.testGap ? signed(r.testGap) : '–', r.oodGap ? signed(r.oodGap) : '–']),
  };
  const byFamily: Table = {
    title: 'Generalisation by family',
    note: 'Success per family and split [Wilson 95%], levels in brackets.',
    headers: ['family', 'planner', ...g.splits],
    rows: g.families.flatMap((family) =>
      [...new Set(g.cells.filter((c) => c.family === family).map((c) => c.planner))].map((planner) => [
        family,
        planner,
        ...g.splits.map((split) => {
          const c = g.cells.find((x) => x.family === family && x.planner === planner && x.split === split);
          if (!c) return '–';
          const [lo, hi] = wilson(c.successes, c.episodes);
          return `${pct(c.successes / c.episodes)} [${pct(lo)}, ${pct(hi)}] (${c.levels})`;
        }),
      ]),
    ),
  };
  return [gap, byFamily];
}

/** Outcomes keep their colour across reports: success green, timeout amber, crashes red. */
const OUTCOME_COLORS: Record<string, string> = {
  success: '#3ba55c',
  timeout: '#c9a227',
  flipped: '#d4703b',
  left_arena: '#7d8a99',
  diverged: '#2aa1a8',
  planner_error: '#a33bd4',
  error: '#d43b6f',
};

const TOKEN_KEY = /^(?!.*estimated).*tokens/i;
const COST_KEY = /usd/i;

/** Sum of the counters whose names match, or null when there are none. */
function sumCounters(counters: Record<string, { total: number; perEpisode: number }>, pattern: RegExp): { total: number; perEpisode: number } | null {
  const hits = Object.entries(counters).filter(([k]) => pattern.test(k));
  if (hits.length === 0) return null;
  return { total: hits.reduce((s, [, c]) => s + c.total, 0), perEpisode: hits.reduce((s, [, c]) => s + c.perEpisode, 0) };
}

function trim(x: number): string {
  return Number.isInteger(x) ? String(x) : Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

function headerLines(meta: ReportMeta, a: RunAnalysis): string[] {
  const m = meta.manifest;
  const commit = m.git?.commit ? `${m.git.commit.slice(0, 12)}${m.git.dirty ? ' (dirty)' : ''}` : 'unknown';
  const runs = [{ runDir: meta.runDir, manifest: m }, ...(meta.more ?? [])];
  return [
    runs.length === 1 ? `Run: ${meta.runDir}` : `Runs (${runs.length}, episodes pooled): ${runs.map((r) => `${r.runDir} (${r.manifest.config.suite ?? 'scenario list'})`).join(', ')}`,
    `Suite: ${runs.map((r) => r.manifest.config.suite ?? '(scenario list)').join(' + ')}; ${a.scenarios.length} scenarios × ${a.planners.length} planners, ${a.episodes} episodes; physics ${m.config.physics}, clock ${m.config.clock}`,
    `Made ${m.createdAt} by planarena ${m.planarena}, commit ${commit}, on ${m.machine?.cpus ?? '?'} (${m.machine?.cores ?? '?'} cores), node ${m.machine?.node ?? '?'}`,
  ];
}

export function renderMarkdown(a: RunAnalysis, meta: ReportMeta): string {
  const lines = [`# ${meta.title}`, '', ...headerLines(meta, a).map((l) => `- ${l}`), ''];
  for (const t of tables(a)) {
    lines.push(`## ${t.title}`, '');
    if (t.note) lines.push(t.note, '');
    const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    lines.push(`| ${t.headers.map(cell).join(' | ')} |`, `|${t.headers.map(() => '---').join('|')}|`);
    for (const r of t.rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
    lines.push('');
  }
  return lines.join('\n');
}

function plots(a: RunAnalysis): string[] {
  const out: string[] = [];
  if (a.generalisation) {
    out.push(
      intervalChart(
        a.generalisation.rows.flatMap((r) =>
          a.generalisation!.splits.flatMap((split) => {
            const s = r.splits[split];
            return s ? [{ label: `${r.planner} · ${split}`, value: s.success.point, lo: s.success.lo, hi: s.success.hi, group: r.planner }] : [];
          }),
        ),
        { min: 0, max: 1, title: 'Success per split of the generated levels (level-cluster bootstrap 95%)', groups: a.planners },
      ),
    );
  }
  out.push(
    intervalChart(
      foldLevelRows(a.rows).map((r) => ({ label: `${r.scenario} · ${r.planner}`, value: r.successRate, lo: r.ci95[0], hi: r.ci95[1], group: r.planner })),
      { min: 0, max: 1, title: 'Success rate per scenario (Wilson 95%)', groups: a.planners },
    ),
  );
  const eff = a.rows.filter((r) => r.efficiency !== null);
  if (eff.length > 0) {
    out.push(
      intervalChart(
        eff.map((r) => ({ label: `${r.scenario} · ${r.planner}`, value: r.efficiency!, lo: r.efficiencyCi95?.[0] ?? r.efficiency!, hi: r.efficiencyCi95?.[1] ?? r.efficiency!, group: r.planner })),
        { min: 0, max: 1, title: 'Efficiency per scenario: success × shortest time / time (bootstrap 95%)', groups: a.planners },
      ),
    );
  }
  const scores = a.aggregates.flatMap((g) => [g.scoreIqm.lo, g.scoreIqm.hi, g.scoreIqm.point]).filter(Number.isFinite);
  out.push(
    intervalChart(
      a.aggregates.map((g) => ({ label: g.planner, value: g.scoreIqm.point, lo: g.scoreIqm.lo, hi: g.scoreIqm.hi, group: g.planner })),
      { min: Math.floor(Math.min(0, ...scores) * 4) / 4, max: Math.ceil(Math.max(1, ...scores) * 4) / 4, title: `IQM of ${scoreName(a)} (stratified bootstrap 95%)`, groups: a.planners },
    ),
  );
  if (a.headToHead.length > 0) {
    out.push(
      intervalChart(
        a.headToHead.map((h) => ({ label: `P(${h.a} > ${h.b})`, value: h.improvement.point, lo: h.improvement.lo, hi: h.improvement.hi, group: h.a })),
        { min: 0, max: 1, title: 'Probability of improvement (95%)', groups: a.planners, reference: 0.5 },
      ),
    );
  }
  if (a.scoreKind === 'efficiency') {
    out.push(profileChart(a.profileTaus, a.aggregates.map((g) => ({ label: g.planner, ys: g.profile })), { title: 'Performance profile: fraction of episodes with efficiency > τ', xLabel: 'τ', groups: a.planners }));
  }
  out.push(stackedBars(a.aggregates.map((g) => ({ label: g.planner, counts: g.outcomes })), 'Episode outcomes', OUTCOME_COLORS));
  const cats = a.aggregates.filter((g) => Object.keys(g.failureCategories).length > 0);
  if (cats.length > 0) {
    out.push(stackedBars(cats.map((g) => ({ label: g.planner, counts: g.failureCategories as Record<string, number> })), 'Failure categories (decisions)'));
  }
  out.push(boxPlots(a.aggregates.map((g) => ({ label: g.planner, values: g.latencyP50 })), 'Decision latency, per-episode median', 'ms'));
  return out;
}

export function renderHtml(a: RunAnalysis, meta: ReportMeta): string {
  const body: string[] = [`<h1>${esc(meta.title)}</h1>`, `<ul>${headerLines(meta, a).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`];
  body.push('<h2>Plots</h2>', ...plots(a).map((svg) => `<figure>${svg}</figure>`));
  for (const t of tables(a)) {
    body.push(`<h2>${esc(t.title)}</h2>`);
    if (t.note) body.push(`<p class="note">${esc(t.note)}</p>`);
    body.push(
      `<table><thead><tr>${t.headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${t.rows
        .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`,
    );
  }
  const style = [
    'body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}',
    'table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}',
    'th{background:#f3f3f3}.note{color:#555;font-size:13px}figure{margin:1em 0}',
  ].join('');
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(meta.title)}</title><style>${style}</style></head><body>\n${body.join('\n')}\n</body></html>\n`;
}
