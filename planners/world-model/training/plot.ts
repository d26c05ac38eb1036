/**
 * The training plot: one self-contained SVG (no scripts, opens anywhere) with every loss
 * component on a log scale against gradient steps, and evaluation success rates when present.
 */
import { LOSS_NAMES } from './Trainer.ts';

export interface LogRow {
  kind: 'loss' | 'eval' | 'collect';
  step: number;
  [key: string]: unknown;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
const W = 760;
const H = 360;
const PAD = { l: 56, r: 150, t: 28, b: 36 };

export function lossPlotSvg(title: string, rows: LogRow[]): string {
  const losses = rows.filter((r) => r.kind === 'loss');
  const evals = rows.filter((r) => r.kind === 'eval');
  const maxStep = Math.max(1, ...rows.map((r) => r.step));
  const values = losses.flatMap((r) => LOSS_NAMES.map((n) => Number(r[n]))).filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.log10(Math.min(...values, 1));
  const hi = Math.log10(Math.max(...values, 10));
  const x = (s: number) => PAD.l + ((W - PAD.l - PAD.r) * s) / maxStep;
  const y = (v: number) => PAD.t + ((H - PAD.t - PAD.b) * (hi - Math.log10(Math.max(v, 10 ** lo)))) / Math.max(hi - lo, 1e-9);
  const yRate = (v: number) => PAD.t + (H - PAD.t - PAD.b) * (1 - v);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/><text x="${PAD.l}" y="16" font-size="13">${escapeXml(title)}</text>`);
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) {
    parts.push(`<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#eee"/><text x="${PAD.l - 6}" y="${y(10 ** e) + 4}" text-anchor="end">1e${e}</text>`);
  }
  parts.push(`<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${H - PAD.b}" y2="${H - PAD.b}" stroke="#333"/><text x="${(W - PAD.r + PAD.l) / 2}" y="${H - 8}" text-anchor="middle">gradient steps (0 … ${maxStep})</text>`);
  LOSS_NAMES.forEach((name, i) => {
    const pts = losses.filter((r) => Number(r[name]) > 0).map((r) => `${x(r.step).toFixed(1)},${y(Number(r[name])).toFixed(1)}`);
    if (pts.length) parts.push(`<polyline fill="none" stroke="${COLORS[i]}" stroke-width="${name === 'total' ? 2 : 1.2}" points="${pts.join(' ')}"/>`);
    parts.push(`<rect x="${W - PAD.r + 12}" y="${PAD.t + i * 16 - 8}" width="10" height="10" fill="${COLORS[i]}"/><text x="${W - PAD.r + 28}" y="${PAD.t + i * 16 + 1}">${name}</text>`);
  });
  if (evals.length) {
    const pts = evals.map((r) => `${x(r.step).toFixed(1)},${yRate(Number(r.successRate)).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="#000" stroke-dasharray="4 3" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    for (const r of evals) parts.push(`<circle cx="${x(r.step)}" cy="${yRate(Number(r.successRate))}" r="3"/>`);
    const i = LOSS_NAMES.length;
    parts.push(`<line x1="${W - PAD.r + 12}" x2="${W - PAD.r + 22}" y1="${PAD.t + i * 16 - 3}" y2="${PAD.t + i * 16 - 3}" stroke="#000" stroke-dasharray="3 2"/><text x="${W - PAD.r + 28}" y="${PAD.t + i * 16 + 1}">eval success (0–1)</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
