/**
 * A corridor with moving obstacles (diffdrive). Movers shuttle at constant speed either across
 * the corridor (`across`, lanes the robot must time its crossing of) or along one side
 * (`along`, leaving the other side free); `pillars` jut out of the side walls. The start is at
 * one end, the goal at the other; mover phases are drawn per seed.
 *
 * Solvable: a static route for a disc of 0.36 m (walls, pillars, and the strips `along` movers
 * sweep) joins start and goal; between two lanes there is room for the robot to wait; and for
 * every `across` mover there is a place on its lane where the gap between its passes is longer
 * than the robot needs to cross the lane at 0.5 m/s, plus a second.
 */
import { z } from 'zod';
import { BUDGET_SPEED, CLEARANCE, reject, type Builder, type Draft } from '../Builder.ts';
import { mm } from '../Draw.ts';
import { choices, intRange, realRange } from '../factors.ts';
import { fmtTol, instruction, VOCAB, WORD_SETS } from '../language.ts';
import { Occupancy } from '../Occupancy.ts';
import type { Pt } from '../plane.ts';

const TOLERANCE = 0.3;
const END = 0.7;
/** Speed (m/s) assumed for crossing a mover's lane. */
const CROSS_SPEED = 0.5;

export const CorridorFactors = z
  .object({
    length: realRange(5, 24, 'corridor length, metres'),
    width: realRange(1.8, 5, 'corridor width, metres'),
    movers: intRange(0, 8, 'moving obstacles'),
    moverSpeed: realRange(0.1, 1.2, 'metres per second'),
    moverSize: realRange(0.15, 0.5, 'radius of a mover, metres'),
    moverShapes: choices(['cylinder', 'box']),
    motions: choices(['across', 'along']),
    pillars: intRange(0, 6, 'pillars jutting from the side walls'),
    words: choices(WORD_SETS),
  })
  .strict();
export type CorridorFactors = z.infer<typeof CorridorFactors>;

export const corridor: Builder<CorridorFactors> = {
  name: 'corridor',
  robot: 'diffdrive',
  tags: ['navigation', 'dynamic'],
  summary: 'corridor crossed by moving obstacles',
  factors: CorridorFactors,
  knobs: { movers: 1, moverSpeed: 1, length: 1, width: -1 },
  build(d, f) {
    const L = mm(d.real(f.length));
    const Wd = mm(d.real(f.width));
    const n = d.int(f.movers);
    const speed = d.real(f.moverSpeed);
    const words = d.pick(f.words);
    const vocab = VOCAB[words];
    const flip = d.chance(0.5) ? -1 : 1;
    const side = Wd / 2 - END;
    const s: Pt = [mm(flip * (-L / 2 + END)), mm(d.real([-side, side]))];
    const g: Pt = [mm(flip * (L / 2 - END)), mm(d.real([-side, side]))];

    // Movers, one per lane, lanes spread evenly between 2 m from either end.
    const movers: NonNullable<Draft['movingObstacles']> = [];
    const lanes: { x: number; rb: number; motion: string }[] = [];
    const occ = new Occupancy(L, Wd);
    const sweeps = new Occupancy(L, Wd);
    const spacing = n > 0 ? (L - 4) / n : 0;
    // Lanes sway from even spacing only as far as still leaves the robot room to wait between two.
    const rbCap = f.moverSize[1] * (f.moverShapes.includes('box') ? Math.SQRT2 : 1);
    const need = 2 * rbCap + 2 * CLEARANCE.diffRoute + 0.2;
    if (n > 1 && spacing < need) return reject(`${n} movers in ${L} m leave lanes ${mm(spacing)} m apart, less than the ${mm(need)} m the robot needs between them`);
    const sway = Math.min(0.15 * spacing, Math.max(0, (spacing - need) / 2));
    let slowest = Infinity;
    for (let k = 0; k < n; k++) {
      const shape = d.pick(f.moverShapes);
      const r = mm(d.real(f.moverSize));
      // Bounding radius: boxes may face any way along their path.
      const rb = shape === 'box' ? mm(r * Math.SQRT2) : r;
      const v = mm(Math.max(0.05, speed * d.real([0.8, 1.2])));
      const x = mm(-L / 2 + 2 + (k + 0.5) * spacing + d.real([-1, 1]) * sway);
      const motion = d.pick(f.motions);
      const body = shape === 'box' ? { shape: 'box' as const, size: [2 * r, 2 * r, 0.6] as [number, number, number] } : { shape: 'cylinder' as const, radius: r, height: 0.8 };
      let path: [Pt, Pt];
      if (motion === 'across') {
        const y = Wd / 2 - rb - 0.02;
        path = [[x, mm(-y)], [x, mm(y)]];
        // The longest gap between passes, at the best place on the lane for the robot to wait.
        const band = rb + CLEARANCE.diffRoute + 0.05;
        const travel = 2 * y;
        const uLo = -Wd / 2 + CLEARANCE.diffRoute + y;
        const uHi = Wd / 2 - CLEARANCE.diffRoute + y;
        const window = (2 * Math.max(travel - uLo - band, uHi - band)) / v;
        const needed = (2 * band) / CROSS_SPEED + 1;
        if (window < needed) return reject(`mover ${k + 1} leaves gaps of ${mm(window)} s, less than the ${mm(needed)} s needed to cross its lane`);
        slowest = Math.min(slowest, window);
      } else {
        const y = mm((d.chance(0.5) ? 1 : -1) * (Wd / 2 - rb - 0.02));
        const reach = Math.min(spacing / 2 - rb - 0.1, 1.5);
        if (reach < 0.3) return reject('lanes too close for a mover along the corridor');
        path = [[mm(x - reach), y], [mm(x + reach), y]];
        sweeps.box((path[0][0] + path[1][0]) / 2, y, 2 * reach + 2 * rb, 2 * rb);
      }
      if (lanes.length && x - lanes[lanes.length - 1].x - lanes[lanes.length - 1].rb - rb < 2 * CLEARANCE.diffRoute + 0.2) {
        return reject('no room for the robot to wait between two lanes');
      }
      lanes.push({ x, rb, motion });
      const length = motion === 'across' ? path[1][1] - path[0][1] : path[1][0] - path[0][0];
      movers.push({ id: `mover-${k + 1}`, ...body, path, speed: v, mode: 'pingpong', phase: [0, mm(2 * length)] });
    }

    // Pillars on the side walls, clear of every mover's sweep, the start and the goal.
    const obstacles: NonNullable<Draft['obstacles']> = [];
    const pillars = d.int(f.pillars);
    for (let k = 0; k < pillars; k++) {
      const depth = mm(d.real([0.2, Math.max(0.25, Wd / 2 - 2 * CLEARANCE.diffRoute - 0.2)]));
      const len = mm(d.real([0.3, 0.6]));
      const y = mm((d.chance(0.5) ? 1 : -1) * (Wd / 2 - depth / 2));
      const x = mm(d.real([-L / 2 + 1.5, L / 2 - 1.5]));
      const clearOfMovers = lanes.every((l) => Math.abs(x - l.x) - len / 2 - l.rb > (l.motion === 'across' ? 0.1 : 1.8));
      if (!clearOfMovers || Math.abs(x - s[0]) < 1 || Math.abs(x - g[0]) < 1) continue;
      obstacles.push({ id: `pillar-${obstacles.length + 1}`, shape: 'box', position: [x, y], size: [len, depth, 0.8], color: '#7d8a99' });
      occ.box(x, y, len, depth);
      sweeps.box(x, y, len, depth);
    }
    const route = occ.route(s, g, CLEARANCE.diffRoute);
    if (!route) return reject(`no route for the diffdrive (clearance ${CLEARANCE.diffRoute} m) along the corridor`);
    if (!sweeps.route(s, g, CLEARANCE.diffRoute)) return reject('movers along the corridor leave no free side to pass them');

    const across = lanes.filter((l) => l.motion === 'across').length;
    const where = d.pick([` at the far end of the ${vocab.corridor}`, ` at the other end of the ${vocab.corridor}`, '']);
    return {
      description: `A ${L} × ${Wd} m corridor with ${n} movers (${across} across, ${n - across} along) at about ${mm(speed)} m/s and ${obstacles.length} pillars${Number.isFinite(slowest) ? `; the shortest crossing gap is ${mm(slowest)} s` : ''}.`,
      instruction: instruction(d, 'reach', words, { marker: vocab.marker, where, tol: fmtTol(TOLERANCE) }),
      hint: 'The moving obstacles shuttle back and forth at constant speed and push whatever is in their way: wait beside a lane until its mover has passed, then cross.',
      robot: { type: 'diffdrive', start: { position: s, yaw: flip < 0 ? 180 : 0 } },
      arena: { size: [L, Wd], walls: { height: 0.6, thickness: 0.1 } },
      obstacles,
      movingObstacles: movers,
      goal: { type: 'reach', position: g, tolerance: TOLERANCE },
      randomize: { robotYaw: [-20, 20] },
      timeLimit: Math.ceil(route.length / BUDGET_SPEED + 6 * across + 12),
      factors: { length: L, width: Wd, movers: n, moverSpeed: speed, moverShapes: f.moverShapes.join('+'), motions: f.motions.join('+'), pillars: obstacles.length, words },
    };
  },
};
