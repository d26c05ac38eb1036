/**
 * The results table printed at the end of `planarena run` and `planarena demo`: fixed-width,
 * one row per scenario × planner, readable in a terminal and in a CI log. Success and efficiency
 * come first; the normalised return (against frozen anchors) and the raw return are secondary.
 */
import type { RunSummary, SummaryRow } from '../core/records.ts';

interface Column {
  title: string;
  align: 'left' | 'right';
  cell(row: SummaryRow): string;
}

const pct = (x: number) => `${(100 * x).toFixed(0)}`;
const num = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

/** "0.74 [0.70-0.78]", or "-" for records that predate efficiency. */
function efficiencyText(r: SummaryRow): string {
  if (r.efficiency === null) return '-';
  return r.efficiencyCi95 ? `${num(r.efficiency, 2)} [${num(r.efficiencyCi95[0], 2)}-${num(r.efficiencyCi95[1], 2)}]` : num(r.efficiency, 2);
}

/** Success and efficiency first (the headline), then the secondary shaped-return figures. */
const COLUMNS: Column[] = [
  { title: 'scenario', align: 'left', cell: (r) => r.scenario },
  { title: 'planner', align: 'left', cell: (r) => r.planner },
  { title: 'n', align: 'right', cell: (r) => String(r.episodes) },
  { title: 'success % [95% CI]', align: 'right', cell: (r) => `${pct(r.successRate)} [${pct(r.ci95[0])}-${pct(r.ci95[1])}]` },
  { title: 'efficiency [95% CI]', align: 'right', cell: efficiencyText },
  { title: 'norm.return', align: 'right', cell: (r) => (r.normalizedScore === null ? '-' : num(r.normalizedScore, 2)) },
  { title: 'return', align: 'right', cell: (r) => num(r.meanReturn, 2) },
  { title: 'steps', align: 'right', cell: (r) => num(r.meanSteps, 0) },
  { title: 'collisions', align: 'right', cell: (r) => num(r.meanCollisions, 1) },
  { title: 'ms/decision p50/p95', align: 'right', cell: (r) => `${formatMs(r.plannerMsP50)}/${formatMs(r.plannerMsP95)}` },
  { title: 'failures', align: 'left', cell: (r) => failureText(r) },
];

function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

/** Episode failures by reason, most frequent first, e.g. "timeout 3, flipped 1". */
function failureText(r: SummaryRow): string {
  const entries = Object.entries(r.failures).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length === 0 ? '-' : entries.map(([k, n]) => `${k} ${n}`).join(', ');
}

/** Renders the summary as a fixed-width table; a blank line separates scenarios. */
export function formatTable(summary: RunSummary): string {
  if (summary.rows.length === 0) return '(no episodes)';
  const cells = summary.rows.map((r) => COLUMNS.map((c) => c.cell(r)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (COLUMNS[i].align === 'left' ? v.padEnd(widths[i]) : v.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(COLUMNS.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  ')];
  summary.rows.forEach((row, i) => {
    if (i > 0 && row.scenario !== summary.rows[i - 1].scenario) out.push('');
    out.push(line(cells[i]));
  });
  // Why a normalised return is missing, once per reason.
  const refused = [...new Set(summary.rows.filter((r) => r.normalizedScore === null && r.normalizedNote).map((r) => r.normalizedNote!))];
  if (refused.length > 0) out.push('', `norm.return "-": ${refused.slice(0, 3).join('; ')}${refused.length > 3 ? `; and ${refused.length - 3} more` : ''}`);
  return out.join('\n');
}
