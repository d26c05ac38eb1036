/**
 * The self-contained HTML page of `planarena diagnose world-model`: inline SVG, no scripts, no
 * external files. Per scenario: imagination error against horizon step, learned cost against
 * true return (one point per sampled sequence and state), and the ablation table.
 */
import type { WorldModelDiagnosis } from '../planners/world-model/diagnose/types.ts';
import { colorOf, esc, niceTicks, tickLabel } from './svg.ts';
import { summarise, type ScenarioSummary } from './worldModelDiagnosis.ts';

const FONT = 'font-family="system-ui, sans-serif" font-size="12"';

function f(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

interface Axes {
  x: (v: number) => number;
  y: (v: number) => number;
  parts: string[];
}

/** Frame, ticks and labels of a plot; returns the coordinate maps. */
function axes(title: string, xr: [number, number], yr: [number, number], xLabel: string, yLabel: string, left = 52, top = 26, w = 380, h = 200): Axes {
  const [x0, x1] = xr[1] > xr[0] ? xr : [xr[0] - 1, xr[0] + 1];
  const [y0, y1] = yr[1] > yr[0] ? yr : [yr[0] - 1, yr[0] + 1];
  const x = (v: number) => left + ((v - x0) / (x1 - x0)) * w;
  const y = (v: number) => top + (1 - (v - y0) / (y1 - y0)) * h;
  const parts = [`<text x="4" y="16" font-weight="600">${esc(title)}</text>`, `<path d="M${left} ${top}V${top + h}H${left + w}" stroke="#888" fill="none"/>`];
  const xt = niceTicks(x0, x1);
  for (const v of xt) parts.push(`<text x="${x(v).toFixed(1)}" y="${top + h + 16}" text-anchor="middle" fill="#555">${tickLabel(v, xt)}</text>`);
  const yt = niceTicks(y0, y1);
  for (const v of yt) parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${tickLabel(v, yt)}</text>`, `<path d="M${left} ${y(v).toFixed(1)}h${w}" stroke="#eee"/>`);
  parts.push(`<text x="${left + w / 2}" y="${top + h + 32}" text-anchor="middle" fill="#555">${esc(xLabel)}</text>`);
  parts.push(`<text x="12" y="${top + h / 2}" text-anchor="middle" fill="#555" transform="rotate(-90 12 ${top + h / 2})">${esc(yLabel)}</text>`);
  return { x, y, parts };
}

function svg(parts: string[], width = 600, height = 262): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ${FONT}>${parts.join('')}</svg>`;
}

function legend(parts: string[], items: readonly { label: string; color: string }[], x = 446, top = 26): void {
  items.forEach((it, i) => parts.push(`<rect x="${x}" y="${top + i * 18}" width="10" height="10" fill="${it.color}"/><text x="${x + 14}" y="${top + i * 18 + 9}">${esc(it.label)}</text>`));
}

/** Imagination error (m) against horizon step: the acted-on sequence and all samples. */
export function errorChart(s: ScenarioSummary): string {
  const series = [
    { label: 'acted-on: position', ys: s.chosenError.mean },
    { label: 'sampled: position', ys: s.sampledError.mean },
    { label: 'acted-on: motion', ys: s.chosenMotionError.mean },
    { label: 'sampled: motion', ys: s.sampledMotionError.mean },
    { label: 'brake (all-zero): motion', ys: s.brakeMotionError.mean },
    // Push tasks with a probe that decodes the object.
    ...(s.objectMotionError.mean.some(Number.isFinite)
      ? [
          { label: 'object motion: sampled', ys: s.objectMotionError.mean },
          { label: 'object motion: all-zero', ys: s.objectBrakeMotionError.mean },
        ]
      : []),
  ];
  const yMax = Math.max(0.05, ...series.flatMap((c) => c.ys.filter(Number.isFinite)));
  const a = axes(`${s.scenario}: imagined vs true path, error per step`, [0, s.horizon], [0, yMax], 'horizon step (control steps)', 'error (m)');
  const groups = series.map((c) => c.label);
  for (const c of series) {
    const pts = c.ys.map((v, t) => [t, v] as const).filter(([, v]) => Number.isFinite(v));
    if (pts.length === 0) continue;
    const color = colorOf(groups, c.label);
    a.parts.push(`<path d="${pts.map(([t, v], k) => `${k ? 'L' : 'M'}${a.x(t).toFixed(1)} ${a.y(v).toFixed(1)}`).join('')}" stroke="${color}" stroke-width="2" fill="none"/>`);
    for (const [t, v] of pts) a.parts.push(`<circle cx="${a.x(t).toFixed(1)}" cy="${a.y(v).toFixed(1)}" r="2.5" fill="${color}"/>`);
  }
  legend(a.parts, groups.map((g) => ({ label: g, color: colorOf(groups, g) })));
  return svg(a.parts);
}

/** Learned cost (the heads alone, without the behaviour prior, which would only separate the
 * uniform samples from the rest) against true return, one point per sampled sequence and state. */
export function rankingScatter(s: ScenarioSummary, d: WorldModelDiagnosis): string {
  const states = d.scenarios.find((x) => x.scenario === s.scenario)?.states ?? [];
  const pts = states.flatMap((p) => p.samples.trueReturn.map((r, i) => ({ r, c: p.samples.learnedCostNoPrior[i], o: p.samples.origin[i] }))).filter((p) => Number.isFinite(p.r) && Number.isFinite(p.c));
  // Diagnoses written before the brake sample have three origins; newer ones four.
  const origins = ['actor', 'near', 'uniform', 'brake'].filter((o) => o !== 'brake' || pts.some((p) => p.o === 'brake'));
  const xs = pts.map((p) => p.r);
  const ys = pts.map((p) => p.c);
  const a = axes(
    `${s.scenario}: learned cost vs true return, Spearman ρ = ${f(s.spearman.learnedNoPrior)} (near the actor ${f(s.spearman.learnedNearActor)}; ${s.states} states)`,
    [Math.min(0, ...xs), Math.max(0, ...xs)],
    [Math.min(...ys, 0), Math.max(...ys, 1)],
    'true return over the horizon (higher is better)',
    'learned cost, no prior',
  );
  for (const p of pts) a.parts.push(`<circle cx="${a.x(p.r).toFixed(1)}" cy="${a.y(p.c).toFixed(1)}" r="3" fill="${colorOf(origins, p.o)}" fill-opacity="0.6"/>`);
  legend(a.parts, origins.map((o) => ({ label: o === 'actor' ? "actor's sequence" : o === 'near' ? 'near the actor' : o === 'brake' ? 'all-zero (brake)' : 'uniform', color: colorOf(origins, o) })));
  return svg(a.parts, 640);
}

function ablationTable(summaries: readonly ScenarioSummary[]): string {
  const variants = [...new Set(summaries.flatMap((s) => s.ablations.map((a) => a.variant)))];
  const label = (v: string) => summaries.flatMap((s) => s.ablations).find((a) => a.variant === v)?.label ?? v;
  const head = `<tr><th>variant</th>${summaries.map((s) => `<th>${esc(s.scenario)}: success</th><th>mean return</th><th>final distance (m)</th>`).join('')}</tr>`;
  const rows = variants.map((v) => `<tr><td>${esc(label(v))}</td>${summaries
    .map((s) => {
      const a = s.ablations.find((x) => x.variant === v);
      return a ? `<td>${a.successes}/${a.episodes} (${f(100 * a.successRate, 0)}%)</td><td>${f(a.meanReturn)}</td><td>${f(a.meanFinalDistance)}</td>` : '<td>–</td><td>–</td><td>–</td>';
    })
    .join('')}</tr>`);
  return `<table>${head}${rows.join('')}</table>`;
}

function rankingTable(s: ScenarioSummary): string {
  const rows = s.rankings.map((r) => `<tr><td>${r.seed}</td><td>${r.step}</td><td>${f(r.learned)}</td><td>${f(r.learnedNoPrior)}</td><td>${f(r.learnedNearActor)}</td><td>${f(r.trueCost)}</td></tr>`);
  return `<table><tr><th>seed</th><th>step</th><th>ρ learned</th><th>ρ no prior</th><th>ρ near actor</th><th>ρ true cost</th></tr>${rows.join('')}</table>`;
}

export function diagnosisHtml(d: WorldModelDiagnosis, meta: { command: string; createdAt: string }): string {
  const summaries = summarise(d);
  const sections = summaries.map(
    (s) => `<h2>${esc(s.scenario)} <small>(${esc(s.robot)}, horizon ${s.horizon}, ${s.states} states)</small></h2>
<p>Imagination error of the acted-on sequence: ${f(s.chosenError.mean[0], 3)} m at the state itself (the probe's decoding), ${f(s.chosenError.oneStep, 3)} m after one step, ${f(s.chosenError.meanOverHorizon, 3)} m on average over the horizon, ${f(s.chosenError.final, 3)} m at its end (all sampled sequences: ${f(s.sampledError.oneStep, 3)}, ${f(s.sampledError.meanOverHorizon, 3)}, ${f(s.sampledError.final, 3)} m). Motion error (each path relative to its own start): ${f(s.chosenMotionError.oneStep, 3)} m after one step, ${f(s.chosenMotionError.final, 3)} m at the end (sampled: ${f(s.sampledMotionError.oneStep, 3)}, ${f(s.sampledMotionError.final, 3)} m).</p>
<div class="plots">${errorChart(s)}${rankingScatter(s, d)}</div>
<details><summary>rank correlation per state</summary>${rankingTable(s)}</details>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>planarena: world-model diagnosis</title>
<style>body{font-family:system-ui,sans-serif;max-width:1320px;margin:1em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.plots{display:flex;flex-wrap:wrap;gap:12px}small{color:#666;font-weight:normal}code{background:#f4f4f4;padding:0 3px}</style>
</head><body>
<h1>World-model diagnosis</h1>
<p><code>${esc(meta.command)}</code> · ${esc(meta.createdAt)} · checkpoints: ${Object.entries(d.checkpoints).map(([r, p]) => `${esc(r)} <code>${esc(p)}</code>`).join(', ')}</p>
<p>How to read it (docs/world-model.md, "Diagnose"): a large <b>imagination error</b> blames the model; a low <b>ρ no prior</b> or <b>ρ near actor</b> (Spearman rank correlation of the learned cost with the negated true return of the same sequences; over all samples, and over those near the actor's sequence where MPPI searches) blames the cost; <b>ρ true cost</b> must be 1 (the plumbing check). In the ablations, a variant with the truth swapped in that succeeds where the default fails names the part at fault; if even the true model with the true cost fails, the search is (or its behaviour prior: try <code>--set wm-cost-prior=0</code>).</p>
<h2>Ablations</h2>
${ablationTable(summaries)}
${sections.join('\n')}
</body></html>
`;
}
