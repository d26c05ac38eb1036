/**
 * Tiny inline-SVG chart builders for the self-contained HTML report: no scripts, no external
 * files, readable when printed. Each returns one `<svg>` string sized by its content.
 */

export interface IntervalItem {
  label: string;
  value: number;
  lo: number;
  hi: number;
  /** Optional group shown in a second colour cycle (e.g. the planner). */
  group?: string;
}

const PALETTE = ['#3b6fd4', '#d4703b', '#3ba55c', '#a33bd4', '#d43b6f', '#7d8a99', '#c9a227', '#2aa1a8'];
const FONT = 'font-family="system-ui, sans-serif" font-size="12"';

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

/**
 * Axis ticks at "nice" values — multiples of 1, 2, 2.5 or 5 × 10^k — inside [min, max], about
 * `target` of them (never the raw quarters of an odd range: −0.25, −0.06, 0.13 …).
 */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max)) || max <= min) return [min];
  const raw = (max - min) / Math.max(1, target - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((st) => st >= raw * 0.999) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** A tick value with the decimals its step needs and no trailing zeros ("0.25", "0.5", "10"). */
export function tickLabel(v: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(v) || 1;
  const e = Math.floor(Math.log10(step) + 1e-9);
  const quarter = Math.abs(step / 10 ** e - 2.5) < 1e-6; // 0.25, 2.5, 25: one more digit
  const digits = Math.max(0, Math.min(6, -e + (quarter ? 1 : 0)));
  return String(Number(v.toFixed(digits)) || 0); // no trailing zeros, no "-0"
}

/** A power of ten plainly: 0.01, 0.1, 1, 10, 100, 1k, 10k. */
function decade(e: number): string {
  const v = 10 ** e;
  return v >= 1000 ? `${v / 1000}k` : v >= 1 ? String(v) : v.toPrecision(1);
}

/** Colour of a group name, stable across charts of one report. */
export function colorOf(groups: readonly string[], group: string | undefined): string {
  const i = group === undefined ? 0 : Math.max(0, groups.indexOf(group));
  return PALETTE[i % PALETTE.length];
}

/**
 * Horizontal point-and-whisker chart: one row per item, the point estimate as a bar and the
 * interval as a whisker, on a shared axis [min, max].
 */
export function intervalChart(items: readonly IntervalItem[], opts: { min: number; max: number; title: string; groups?: readonly string[]; reference?: number }): string {
  const labelW = Math.min(320, 8 + 7 * Math.max(8, ...items.map((i) => i.label.length)));
  const plotW = 360;
  const rowH = 20;
  const top = 26;
  const height = top + rowH * items.length + 28;
  const width = labelW + plotW + 70;
  const span = opts.max - opts.min || 1;
  const x = (v: number) => labelW + (Math.min(opts.max, Math.max(opts.min, v)) - opts.min) / span * plotW;
  const groups = opts.groups ?? [];
  const parts: string[] = [`<text x="4" y="16" font-weight="600">${esc(opts.title)}</text>`];
  items.forEach((it, i) => {
    const y = top + i * rowH;
    const color = colorOf(groups, it.group);
    parts.push(`<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(it.label)}</text>`);
    if (Number.isFinite(it.value)) {
      parts.push(`<rect x="${x(Math.min(opts.min < 0 ? 0 : opts.min, it.value))}" y="${y + 4}" width="${Math.abs(x(it.value) - x(opts.min < 0 ? 0 : opts.min))}" height="${rowH - 8}" fill="${color}" opacity="0.35"/>`);
      parts.push(`<circle cx="${x(it.value)}" cy="${y + rowH / 2}" r="3.5" fill="${color}"/>`);
    }
    if (Number.isFinite(it.lo) && Number.isFinite(it.hi)) {
      const yc = y + rowH / 2;
      parts.push(`<path d="M${x(it.lo)} ${yc}H${x(it.hi)}M${x(it.lo)} ${yc - 5}v10M${x(it.hi)} ${yc - 5}v10" stroke="${color}" stroke-width="1.5" fill="none"/>`);
    }
    parts.push(`<text x="${labelW + plotW + 6}" y="${y + 14}">${fmt(it.value)}</text>`);
  });
  const axisY = top + rowH * items.length + 4;
  parts.push(`<path d="M${labelW} ${axisY}H${labelW + plotW}" stroke="#888"/>`);
  const ticks = niceTicks(opts.min, opts.max);
  for (const v of ticks) {
    parts.push(`<path d="M${x(v)} ${axisY}v4" stroke="#888"/><text x="${x(v)}" y="${axisY + 16}" text-anchor="middle" fill="#555">${tickLabel(v, ticks)}</text>`);
  }
  if (opts.reference !== undefined) {
    parts.push(`<path d="M${x(opts.reference)} ${top}V${axisY}" stroke="#444" stroke-dasharray="3 3"/>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ${FONT}>${parts.join('')}</svg>`;
}

/** Horizontal stacked bars of counts per category, one bar per row, with a legend. */
export function stackedBars(rows: readonly { label: string; counts: Record<string, number> }[], title: string, colors: Record<string, string> = {}): string {
  const categories = [...new Set(rows.flatMap((r) => Object.keys(r.counts)))].sort();
  const colorFor = (c: string) => colors[c] ?? colorOf(categories, c);
  const labelW = 8 + 7 * Math.max(8, ...rows.map((r) => r.label.length));
  const plotW = 360;
  const rowH = 22;
  const top = 26;
  const legendY = top + rowH * rows.length + 10;
  const height = legendY + 18 * Math.ceil(categories.length / 4) + 8;
  const width = labelW + plotW + 60;
  const parts: string[] = [`<text x="4" y="16" font-weight="600">${esc(title)}</text>`];
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    const total = Object.values(row.counts).reduce((s, n) => s + n, 0);
    parts.push(`<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${esc(row.label)}</text>`);
    let x = labelW;
    for (const c of categories) {
      const n = row.counts[c] ?? 0;
      if (n <= 0 || total <= 0) continue;
      const w = (n / total) * plotW;
      parts.push(`<rect x="${x}" y="${y + 3}" width="${w}" height="${rowH - 6}" fill="${colorFor(c)}"><title>${esc(c)}: ${n}</title></rect>`);
      x += w;
    }
    parts.push(`<text x="${labelW + plotW + 6}" y="${y + 15}">${total}</text>`);
  });
  categories.forEach((c, i) => {
    const lx = 4 + (i % 4) * 150;
    const ly = legendY + Math.floor(i / 4) * 18;
    parts.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${colorFor(c)}"/><text x="${lx + 14}" y="${ly + 9}">${esc(c)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ${FONT}>${parts.join('')}</svg>`;
}

/** Box plots (min, quartiles, median, max) on a log10 axis, one per row: latency distributions. */
export function boxPlots(rows: readonly { label: string; values: readonly number[] }[], title: string, unit: string): string {
  const all = rows.flatMap((r) => r.values).filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.floor(Math.log10(all.length ? Math.min(...all) : 0.01));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(all.length ? Math.max(...all) : 1)));
  const labelW = 8 + 7 * Math.max(8, ...rows.map((r) => r.label.length));
  const plotW = 360;
  const rowH = 24;
  const top = 26;
  const height = top + rowH * rows.length + 46;
  const width = labelW + plotW + 20;
  const x = (v: number) => labelW + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotW;
  const parts: string[] = [`<text x="4" y="16" font-weight="600">${esc(title)}</text>`];
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    const yc = y + rowH / 2;
    parts.push(`<text x="${labelW - 6}" y="${yc + 4}" text-anchor="end">${esc(row.label)}</text>`);
    const v = row.values.filter(Number.isFinite).sort((a, b) => a - b);
    if (v.length === 0) return;
    const q = (p: number) => v[Math.min(v.length - 1, Math.max(0, Math.round((v.length - 1) * p)))];
    const color = PALETTE[i % PALETTE.length];
    parts.push(`<path d="M${x(v[0])} ${yc}H${x(q(0.25))}M${x(q(0.75))} ${yc}H${x(v[v.length - 1])}" stroke="${color}"/>`);
    parts.push(`<rect x="${x(q(0.25))}" y="${y + 5}" width="${Math.max(1, x(q(0.75)) - x(q(0.25)))}" height="${rowH - 10}" fill="${color}" opacity="0.35" stroke="${color}"/>`);
    parts.push(`<path d="M${x(q(0.5))} ${y + 5}v${rowH - 10}" stroke="${color}" stroke-width="2"/>`);
  });
  const axisY = top + rowH * rows.length + 4;
  parts.push(`<path d="M${labelW} ${axisY}H${labelW + plotW}" stroke="#888"/>`);
  // A tick every decade, a label only where it has room (at least 44 px from the last); the
  // unit once, under the axis.
  let lastLabel = -Infinity;
  for (let e = lo; e <= hi; e++) {
    const px = x(10 ** e);
    parts.push(`<path d="M${px} ${axisY}v4" stroke="#888"/>`);
    if (px - lastLabel < 44) continue;
    lastLabel = px;
    parts.push(`<text x="${px}" y="${axisY + 16}" text-anchor="middle" fill="#555">${decade(e)}</text>`);
  }
  parts.push(`<text x="${labelW + plotW / 2}" y="${axisY + 32}" text-anchor="middle" fill="#555">${esc(unit)} (log scale)</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ${FONT}>${parts.join('')}</svg>`;
}

/** Step lines y(x) for several series on shared axes x ∈ [xs[0], xs[last]], y ∈ [0, 1], with a legend. */
export function profileChart(xs: readonly number[], series: readonly { label: string; ys: readonly number[] }[], opts: { title: string; xLabel: string; groups?: readonly string[] }): string {
  const left = 40;
  const plotW = 380;
  const plotH = 180;
  const top = 26;
  const width = left + plotW + 170;
  const height = top + plotH + 40;
  const x0 = xs[0];
  const span = xs[xs.length - 1] - x0 || 1;
  const x = (v: number) => left + ((v - x0) / span) * plotW;
  const y = (v: number) => top + (1 - v) * plotH;
  const groups = opts.groups ?? series.map((s) => s.label);
  const parts: string[] = [`<text x="4" y="16" font-weight="600">${esc(opts.title)}</text>`];
  parts.push(`<path d="M${left} ${top}V${top + plotH}H${left + plotW}" stroke="#888" fill="none"/>`);
  for (const v of [0, 0.5, 1]) parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${v}</text>`);
  const ticks = niceTicks(x0, x0 + span);
  for (const v of ticks) parts.push(`<text x="${x(v)}" y="${top + plotH + 16}" text-anchor="middle" fill="#555">${tickLabel(v, ticks)}</text>`);
  parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 32}" text-anchor="middle" fill="#555">${esc(opts.xLabel)}</text>`);
  series.forEach((s, i) => {
    const color = colorOf(groups, s.label);
    const d = xs.map((v, k) => `${k === 0 ? 'M' : 'L'}${x(v).toFixed(1)} ${y(Number.isFinite(s.ys[k]) ? s.ys[k] : 0).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" stroke="${color}" stroke-width="2" fill="none"/>`);
    parts.push(`<rect x="${left + plotW + 14}" y="${top + i * 18}" width="10" height="10" fill="${color}"/><text x="${left + plotW + 28}" y="${top + i * 18 + 9}">${esc(s.label)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ${FONT}>${parts.join('')}</svg>`;
}
