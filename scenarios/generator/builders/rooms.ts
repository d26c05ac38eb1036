/**
 * Rooms connected by doors (diffdrive). A grid of `cols` × `rows` square rooms; the doors form a
 * random spanning tree of the rooms (every room reachable) plus `loops` extra doors; each room
 * holds up to `furniture` tables and plant pots. The robot starts in one room and the goal lies
 * `hops` doors away (or as far as the layout allows).
 *
 * Solvable: an A* route for a disc of 0.36 m (the diffdrive turning on the spot, plus margin)
 * joins start and goal; the time limit allows the route at 0.4 m/s plus 12 s.
 */
import { z } from 'zod';
import { BUDGET_SPEED, CLEARANCE, reject, type Builder, type Draft } from '../Builder.ts';
import { mm } from '../Draw.ts';
import { choices, intRange, realRange } from '../factors.ts';
import { fmtTol, instruction, VOCAB, WORD_SETS, type Vocab } from '../language.ts';
import { Occupancy } from '../Occupancy.ts';
import { dist, type Pt } from '../plane.ts';

const WALL_T = 0.15;
const WALL_H = 0.6;
/** Door gaps keep this far from the corners of a room (m). */
const DOOR_MARGIN = WALL_T / 2 + 0.25;
const TOLERANCE = 0.3;

export const RoomsFactors = z
  .object({
    cols: intRange(1, 6, 'rooms per row'),
    rows: intRange(1, 6, 'rows of rooms'),
    roomSize: realRange(2.4, 6, 'side of a square room, metres'),
    doorWidth: realRange(0.8, 2, 'the diffdrive needs 0.72 m to pass a door'),
    loops: intRange(0, 12, 'doors beyond the spanning tree'),
    furniture: intRange(0, 4, 'tables and pots per room'),
    hops: intRange(1, 12, 'doors between the start room and the goal room'),
    words: choices(WORD_SETS),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.cols[0] * f.rows[0] < 2) ctx.addIssue({ code: 'custom', path: ['cols'], message: `cols ${f.cols[0]} × rows ${f.rows[0]} is one room; a level needs at least two (raise the lower bound of cols or rows)` });
    if (f.doorWidth[1] + 2 * DOOR_MARGIN > f.roomSize[0]) {
      ctx.addIssue({ code: 'custom', path: ['doorWidth'], message: `doors up to ${f.doorWidth[1]} m do not fit in rooms of ${f.roomSize[0]} m (a door needs ${mm(2 * DOOR_MARGIN)} m of wall beside it); narrow doorWidth or raise roomSize` });
    }
  });
export type RoomsFactors = z.infer<typeof RoomsFactors>;

interface Edge {
  a: number;
  b: number;
  vertical: boolean;
}

export const rooms: Builder<RoomsFactors> = {
  name: 'rooms',
  robot: 'diffdrive',
  tags: ['navigation'],
  summary: 'rooms joined by doors; goal some doors away',
  factors: RoomsFactors,
  knobs: { hops: 1, doorWidth: -1, furniture: 1, cols: 1, rows: 1 },
  build(d, f) {
    const cols = d.int(f.cols);
    const rows = d.int(f.rows);
    // Lengths of the wall grid in whole millimetres (rooms in whole centimetres), so that walls
    // meet exactly and end exactly at the arena's edge.
    const sizeMm = Math.round(d.real(f.roomSize) * 100) * 10;
    const doorMm = Math.round(d.real(f.doorWidth) * 100) * 10;
    const size = sizeMm / 1000;
    const doorW = doorMm / 1000;
    const loops = d.int(f.loops);
    const furniture = d.int(f.furniture);
    const hopsWanted = d.int(f.hops);
    const words = d.pick(f.words);
    const vocab = VOCAB[words];
    const wMm = cols * sizeMm;
    const hMm = rows * sizeMm;
    const W = wMm / 1000;
    const H = hMm / 1000;
    const n = cols * rows;
    const roomOf = (i: number, j: number) => j * cols + i;
    const cornerMm = (r: number): [number, number] => [-wMm / 2 + (r % cols) * sizeMm, -hMm / 2 + Math.floor(r / cols) * sizeMm];
    const cornerOf = (r: number): Pt => cornerMm(r).map((v) => v / 1000) as Pt;

    // Doors: a random spanning tree (randomised depth-first search), then `loops` more.
    const edges: Edge[] = [];
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < cols; i++) {
        if (i + 1 < cols) edges.push({ a: roomOf(i, j), b: roomOf(i + 1, j), vertical: true });
        if (j + 1 < rows) edges.push({ a: roomOf(i, j), b: roomOf(i, j + 1), vertical: false });
      }
    }
    const door = new Set<number>();
    const seen = new Uint8Array(n);
    const stack = [d.int([0, n - 1])];
    seen[stack[0]] = 1;
    while (stack.length) {
      const r = stack[stack.length - 1];
      const next = d.shuffle(edges.map((e, k) => ({ e, k })).filter(({ e }) => (e.a === r && !seen[e.b]) || (e.b === r && !seen[e.a])));
      if (!next.length) {
        stack.pop();
        continue;
      }
      const { e, k } = next[0];
      const other = e.a === r ? e.b : e.a;
      door.add(k);
      seen[other] = 1;
      stack.push(other);
    }
    for (const k of d.shuffle(edges.map((_, k) => k).filter((k) => !door.has(k))).slice(0, loops)) door.add(k);

    // Walls: one box per wall without a door, two beside a door. Interior ends overlap the
    // crossing wall by half its thickness so corners close; ends at the arena edge stop there.
    const obstacles: NonNullable<Draft['obstacles']> = [];
    const occ = new Occupancy(W, H);
    const doorCentres: Pt[] = [];
    const tMm = WALL_T * 1000;
    const wall = (vertical: boolean, line: number, from: number, to: number) => {
      const len = to - from;
      if (len <= 20) return;
      const mid = (from + to) / 2;
      const position: [number, number] = vertical ? [line / 1000, mid / 1000] : [mid / 1000, line / 1000];
      const sz: [number, number, number] = vertical ? [WALL_T, len / 1000, WALL_H] : [len / 1000, WALL_T, WALL_H];
      obstacles.push({ id: `wall-${obstacles.length + 1}`, shape: 'box', position, size: sz, color: '#8d939c' });
      occ.box(position[0], position[1], sz[0], sz[1]);
    };
    const marginMm = DOOR_MARGIN * 1000;
    edges.forEach((e, k) => {
      const [cx, cy] = cornerMm(e.b);
      // The wall between rooms a and b runs along the near side of b.
      const line = e.vertical ? cx : cy;
      const lo = e.vertical ? cy : cx;
      const hi = lo + sizeMm;
      const edge = e.vertical ? hMm / 2 : wMm / 2;
      const a = lo === -edge ? lo : lo - tMm / 2;
      const b = hi === edge ? hi : hi + tMm / 2;
      if (!door.has(k)) {
        wall(e.vertical, line, a, b);
        return;
      }
      const u = Math.round(d.real([lo + marginMm + doorMm / 2, hi - marginMm - doorMm / 2]));
      wall(e.vertical, line, a, u - doorMm / 2);
      wall(e.vertical, line, u + doorMm / 2, b);
      doorCentres.push(e.vertical ? [line / 1000, u / 1000] : [u / 1000, line / 1000]);
    });

    // Furniture, away from the doors.
    let items = 0;
    for (let r = 0; r < n; r++) {
      const [x0, y0] = cornerOf(r);
      for (let k = 0; k < furniture; k++) {
        const table = d.chance(0.6);
        const sx = mm(d.real([0.5, 0.9]));
        const sy = mm(d.real([0.4, 0.7]));
        const rad = mm(d.real([0.15, 0.28]));
        const ex = table ? sx / 2 : rad;
        const ey = table ? sy / 2 : rad;
        const m = WALL_T / 2 + 0.02;
        if (size - 2 * m - 2 * ex < 0.1 || size - 2 * m - 2 * ey < 0.1) continue;
        const p: Pt = [mm(d.real([x0 + m + ex, x0 + size - m - ex])), mm(d.real([y0 + m + ey, y0 + size - m - ey]))];
        if (doorCentres.some((c) => dist(c, p) < doorW / 2 + Math.max(ex, ey) + 0.9)) continue;
        items++;
        if (table) {
          obstacles.push({ id: `table-${items}`, shape: 'box', position: p, size: [sx, sy, 0.45], color: '#a0784f' });
          occ.box(p[0], p[1], sx, sy);
        } else {
          obstacles.push({ id: `pot-${items}`, shape: 'cylinder', position: p, radius: rad, height: 0.5, color: '#5f8f5a' });
          occ.disc(p[0], p[1], rad);
        }
      }
    }

    // Start room, then the goal room `hops` doors away (breadth-first over the doors): the start
    // is drawn among the rooms that have a room that far away, if any.
    const depthFrom = (from: number) => {
      const depth = new Array<number>(n).fill(-1);
      depth[from] = 0;
      const queue = [from];
      while (queue.length) {
        const r = queue.shift()!;
        edges.forEach((e, k) => {
          if (!door.has(k)) return;
          const other = e.a === r ? e.b : e.b === r ? e.a : -1;
          if (other >= 0 && depth[other] < 0) {
            depth[other] = depth[r] + 1;
            queue.push(other);
          }
        });
      }
      return depth;
    };
    const depths = Array.from({ length: n }, (_, r) => depthFrom(r));
    const reach = depths.map((dd) => Math.max(...dd));
    const far = reach.map((v, r) => ({ v, r })).filter((x) => x.v >= hopsWanted);
    const start = far.length ? d.pick(far).r : reach.indexOf(Math.max(...reach));
    const depth = depths[start];
    const hops = Math.min(hopsWanted, reach[start]);
    if (hops < f.hops[0]) return reject(`the doors allow at most ${hops} hops, fewer than ${f.hops[0]}`);
    const goalRoom = d.pick(depth.map((v, r) => ({ v, r })).filter((x) => x.v === hops)).r;
    const inRoom = (r: number, clearance: number): Pt | null => {
      const [x0, y0] = cornerOf(r);
      for (let t = 0; t < 30; t++) {
        const p: Pt = [mm(d.real([x0 + 0.3, x0 + size - 0.3])), mm(d.real([y0 + 0.3, y0 + size - 0.3]))];
        if (occ.fits(p[0], p[1], clearance)) return p;
      }
      return null;
    };
    const s = inRoom(start, CLEARANCE.diffStart);
    const g = inRoom(goalRoom, CLEARANCE.goal);
    if (!s || !g) return reject('no free spot for the start or the goal');
    const route = occ.route(s, g, CLEARANCE.diffRoute);
    if (!route) return reject(`no route for the diffdrive (clearance ${CLEARANCE.diffRoute} m) from start to goal`);

    const where = ` in the ${roomName(goalRoom % cols, Math.floor(goalRoom / cols), cols, rows, vocab)}`;
    return {
      description: `${cols} × ${rows} rooms of ${size} m joined by ${door.size} doors ${doorW} m wide${items ? `, ${items} pieces of furniture` : ''}; the goal is ${hops} door${hops === 1 ? '' : 's'} from the start (route ${mm(route.length)} m).`,
      instruction: instruction(d, 'reach', words, { marker: vocab.marker, where, tol: fmtTol(TOLERANCE) }),
      hint: 'The walls between rooms are solid except at the doorways: plan a route from doorway to doorway rather than driving straight at the goal.',
      robot: { type: 'diffdrive', start: { position: s, yaw: Math.round(d.real([-180, 180])) } },
      arena: { size: [W, H], walls: { height: WALL_H, thickness: 0.1 } },
      obstacles,
      goal: { type: 'reach', position: g, tolerance: TOLERANCE },
      randomize: { robotYaw: [-20, 20] },
      timeLimit: Math.ceil(route.length / BUDGET_SPEED + 12),
      factors: { cols, rows, roomSize: size, doorWidth: doorW, loops, furniture, hops, words },
    };
  },
};

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth'];

/** "north-east room", "middle room on the west side", "third room from the west in the south row". */
export function roomName(i: number, j: number, cols: number, rows: number, vocab: Vocab): string {
  const room = vocab.room;
  const compass = (k: number, n: number, lo: string, hi: string) => (n === 2 ? [lo, hi][k] : n === 3 ? [lo, 'middle', hi][k] : null);
  const col = compass(i, cols, 'west', 'east');
  const row = compass(j, rows, 'south', 'north');
  const colOrd = `${ORDINALS[i]} ${room} from the west`;
  const rowOrd = `${ORDINALS[j]} row from the south`;
  if (rows === 1) return col ? `${col} ${room}` : colOrd;
  if (cols === 1) return row ? `${row} ${room}` : `${ORDINALS[j]} ${room} from the south`;
  if (col && row) {
    if (col === 'middle' && row === 'middle') return `centre ${room}`;
    if (row === 'middle') return `middle ${room} on the ${col} side`;
    if (col === 'middle') return `middle ${room} on the ${row} side`;
    return `${row}-${col} ${room}`;
  }
  return `${colOrd} in the ${row ? `${row} row` : rowOrd}`;
}
