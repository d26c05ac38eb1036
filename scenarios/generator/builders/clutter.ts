/**
 * A field cluttered with obstacles of mixed shapes and sizes (diffdrive). Obstacles are drawn
 * at `density` per 10 m² from the `shapes` on offer: boxes (any yaw), cylinders, spheres and
 * L-shaped "ells" (two boxes); the goal lies `span` of the field's length from the start.
 *
 * Solvable: an A* route for a disc of 0.36 m joins start and goal; obstacles never crowd the
 * start or the goal.
 */
import { z } from 'zod';
import { BUDGET_SPEED, CLEARANCE, reject, type Builder, type Draft } from '../Builder.ts';
import { deg, mm } from '../Draw.ts';
import { choices, realRange } from '../factors.ts';
import { fmtTol, instruction, VOCAB, WORD_SETS } from '../language.ts';
import { Occupancy } from '../Occupancy.ts';
import { dist, polar, type Pt } from '../plane.ts';

export const CLUTTER_SHAPES = ['box', 'cylinder', 'sphere', 'ell'] as const;
const TOLERANCE = 0.3;
const EDGE = 0.7;

export const ClutterFactors = z
  .object({
    arena: realRange(5, 20, 'length of the field, metres'),
    density: realRange(0.1, 4, 'obstacles per 10 m²'),
    obstacleSize: realRange(0.2, 1.6, 'largest extent of an obstacle, metres'),
    shapes: choices(CLUTTER_SHAPES),
    span: realRange(0.3, 1, 'start-to-goal distance along the field, as a fraction of its usable length'),
    words: choices(WORD_SETS),
  })
  .strict();
export type ClutterFactors = z.infer<typeof ClutterFactors>;

const COLORS = { box: '#9c7a54', cylinder: '#7d8a99', sphere: '#8a6f9c', ell: '#6f8f7a' } as const;

export const clutter: Builder<ClutterFactors> = {
  name: 'clutter',
  robot: 'diffdrive',
  tags: ['navigation'],
  summary: 'field of mixed obstacles between start and goal',
  factors: ClutterFactors,
  knobs: { density: 1, obstacleSize: 1, span: 1, arena: 1 },
  build(d, f) {
    const W = mm(d.real(f.arena));
    const H = mm(W * d.real([0.7, 1]));
    const density = d.real(f.density);
    const size = d.real(f.obstacleSize);
    const span = d.real(f.span);
    const words = d.pick(f.words);
    const vocab = VOCAB[words];
    const flip = d.chance(0.5) ? -1 : 1;
    const s: Pt = [mm(flip * (-W / 2 + EDGE)), mm(d.real([-H / 2 + EDGE, H / 2 - EDGE]))];
    const g: Pt = [mm(flip * (-W / 2 + EDGE + span * (W - 2 * EDGE))), mm(d.real([-H / 2 + EDGE, H / 2 - EDGE]))];
    if (Math.abs(g[0] - s[0]) < 1) return reject('goal too close to the start');

    // Obstacles: each tried a few times at random spots; one that crowds the start or goal is dropped.
    const count = Math.round((density * W * H) / 10);
    const obstacles: NonNullable<Draft['obstacles']> = [];
    const occ = new Occupancy(W, H);
    let placed = 0;
    for (let k = 0; k < count; k++) {
      const shape = d.pick(f.shapes);
      const ext = mm(d.real([Math.max(0.2, size * 0.5), size]));
      const yaw = deg(d.real([0, 180]));
      for (let attempt = 0; attempt < 8; attempt++) {
        // Farthest any part reaches from the centre: a box's half-diagonal, an ell's arm.
        const reach = shape === 'ell' ? ext * 1.5 + 0.1 : shape === 'box' ? ext * 0.6 : ext / 2;
        if (W - 2 * reach < 0.2 || H - 2 * reach < 0.2) break;
        const c: Pt = [mm(d.real([-W / 2 + reach, W / 2 - reach])), mm(d.real([-H / 2 + reach, H / 2 - reach]))];
        const parts = footprint(shape, c, ext, yaw, placed + 1);
        const test = new Occupancy(W, H);
        for (const p of parts) addTo(test, p);
        if (test.distanceToShapes(s[0], s[1]) < CLEARANCE.diffStart + 0.25 || test.distanceToShapes(g[0], g[1]) < CLEARANCE.goal + 0.15) continue;
        placed++;
        for (const p of parts) {
          obstacles.push({ ...p, color: COLORS[shape] });
          addTo(occ, p);
        }
        break;
      }
    }
    const route = occ.route(s, g, CLEARANCE.diffRoute);
    if (!route) return reject(`no route for the diffdrive (clearance ${CLEARANCE.diffRoute} m) through the clutter`);
    const straight = dist(s, g);
    const where = d.pick([` across the ${vocab.field}`, ` on the far side of the ${vocab.field}`, '']);
    return {
      description: `A ${W} × ${H} m ${vocab.field === 'field' ? 'field' : 'yard'} with ${placed} obstacles (${f.shapes.join(', ')}, up to ${mm(size)} m); route ${mm(route.length)} m against ${mm(straight)} m straight.`,
      instruction: instruction(d, 'reach', words, { marker: vocab.marker, where, tol: fmtTol(TOLERANCE) }),
      hint: 'Obstacles block the straight line: plan a route through gaps wider than the robot instead of driving straight at the goal.',
      robot: { type: 'diffdrive', start: { position: s, yaw: Math.round(d.real([-60, 60]) + (flip < 0 ? 180 : 0)) } },
      arena: { size: [W, H], walls: { height: 0.5, thickness: 0.1 } },
      obstacles,
      goal: { type: 'reach', position: g, tolerance: TOLERANCE },
      randomize: { robotYaw: [-20, 20] },
      timeLimit: Math.ceil(route.length / BUDGET_SPEED + 12),
      factors: { arena: W, density, obstacleSize: size, span, obstacles: placed, shapes: f.shapes.join('+'), words },
    };
  },
};

type Part = NonNullable<Draft['obstacles']>[number];

/** The static bodies of one obstacle; an ell is two boxes sharing a corner. */
function footprint(shape: (typeof CLUTTER_SHAPES)[number], c: Pt, ext: number, yaw: number, n: number): Part[] {
  switch (shape) {
    case 'box':
      return [{ id: `box-${n}`, shape: 'box', position: c, yaw, size: [ext, mm(ext * 0.6), 0.5] }];
    case 'cylinder':
      return [{ id: `pillar-${n}`, shape: 'cylinder', position: c, radius: mm(ext / 2), height: 0.6 }];
    case 'sphere':
      return [{ id: `boulder-${n}`, shape: 'sphere', position: c, radius: mm(ext / 2) }];
    case 'ell': {
      const arm = mm(ext * 1.5);
      const t = 0.2;
      const a = polar(c, arm / 2 - t / 2, yaw).map(mm) as Pt;
      const b = polar(c, arm / 2 - t / 2, yaw + 90).map(mm) as Pt;
      return [
        { id: `ell-${n}a`, shape: 'box', position: a, yaw, size: [arm, t, 0.5] },
        { id: `ell-${n}b`, shape: 'box', position: b, yaw: deg(yaw + 90), size: [arm, t, 0.5] },
      ];
    }
  }
}

function addTo(occ: Occupancy, p: Part): void {
  if (p.shape === 'box') occ.box(p.position[0], p.position[1], p.size![0], p.size![1], p.yaw ?? 0);
  else occ.disc(p.position[0], p.position[1], p.radius!);
}
