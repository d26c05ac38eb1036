/**
 * A* over a grid of square cells with octile moves (8 neighbours, diagonals cost √2 cell widths,
 * no cutting between two cells a diagonal passes), shared by every grid route in planarena: the
 * scripted controller's route planner, the level generator's solvability check and the
 * evaluation's shortest feasible path. Costs are in cell widths; ties in the open list break on
 * insertion order, so the cells returned are the same on every machine.
 */
import { MinHeap } from './MinHeap.ts';

export interface GridSearch {
  nx: number;
  ny: number;
  /** Cell indices (j * nx + i). */
  start: number;
  goal: number;
  /** Whether the move from cell `from` into its neighbour `to` is allowed (`diagonal` when it
   * changes both i and j). Not asked for `start`. */
  canEnter(from: number, to: number, diagonal: boolean): boolean;
  /** Whether a cell beside a diagonal move leaves room for it (both must). */
  cornerFree(cell: number): boolean;
}

/** The cells of a cheapest route from `start` to `goal`, both included, or null when none exists. */
export function octileAStar(s: GridSearch): number[] | null {
  const { nx, ny, start, goal } = s;
  const gi = goal % nx;
  const gj = (goal - gi) / nx;
  const h = (i: number, j: number) => {
    const dx = Math.abs(i - gi);
    const dy = Math.abs(j - gj);
    return Math.max(dx, dy) + (Math.SQRT2 - 1) * Math.min(dx, dy);
  };
  const n = nx * ny;
  const g = new Float64Array(n).fill(Infinity);
  const parent = new Int32Array(n).fill(-1);
  const closed = new Uint8Array(n);
  const open = new MinHeap();
  g[start] = 0;
  open.push(start, h(start % nx, (start - (start % nx)) / nx));
  while (open.size > 0) {
    const c = open.pop();
    if (c === goal) break;
    if (closed[c]) continue;
    closed[c] = 1;
    const ci = c % nx;
    const cj = (c - ci) / nx;
    for (let dj = -1; dj <= 1; dj++) {
      for (let di = -1; di <= 1; di++) {
        if (di === 0 && dj === 0) continue;
        const i = ci + di;
        const j = cj + dj;
        if (i < 0 || j < 0 || i >= nx || j >= ny) continue;
        const k = j * nx + i;
        const diagonal = di !== 0 && dj !== 0;
        if (closed[k] || !s.canEnter(c, k, diagonal)) continue;
        if (diagonal && (!s.cornerFree(cj * nx + i) || !s.cornerFree(j * nx + ci))) continue;
        const cost = g[c] + (diagonal ? Math.SQRT2 : 1);
        if (cost < g[k]) {
          g[k] = cost;
          parent[k] = c;
          open.push(k, cost + h(i, j));
        }
      }
    }
  }
  if (g[goal] === Infinity) return null;
  const cells: number[] = [];
  for (let c = goal; c !== -1; c = parent[c]) cells.push(c);
  return cells.reverse();
}
