/**
 * Pushing one object among distractors (pusher). The target is named in the instruction by
 * colour and shape ("the blue crate"), and, when `lookalikes` of the same colour and shape are
 * present, by a relation that singles it out: next to a pillar, closest to the robot, or
 * farthest from it. Distractors of other looks, pillars as landmarks, and the push distance are
 * the difficulty knobs.
 *
 * Solvable: the target's centre has an A* route to the goal that keeps the target's bounding
 * radius plus 0.45 m (room for the pusher to get round it) from pillars, distractors and walls;
 * and the pusher has a route (0.25 m clearance) from its start to a point behind the target on
 * that route. The relation is unambiguous by at least 0.8 m (or 1.4 m from any pillar).
 */
import { z } from 'zod';
import { CLEARANCE, reject, type Builder, type Draft } from '../Builder.ts';
import { mm, type Draw } from '../Draw.ts';
import { choices, intRange, realRange } from '../factors.ts';
import { COLOR_NAMES, COLORS, fmtTol, instruction, VOCAB, WORD_SETS, type ColorName, type Vocab } from '../language.ts';
import { Occupancy } from '../Occupancy.ts';
import { dist, polar, type Pt } from '../plane.ts';

export const PUSH_SHAPES = ['crate', 'drum', 'brick'] as const;
type PushShape = (typeof PUSH_SHAPES)[number];
const TOLERANCE = 0.3;
/** Object bodies: footprint extents, bounding radius, and their scenario fields. */
const BODIES: Record<PushShape, { r: number; fields: Record<string, unknown> }> = {
  crate: { r: 0.283, fields: { shape: 'box', size: [0.4, 0.4, 0.3], mass: 1, friction: 0.5 } },
  drum: { r: 0.2, fields: { shape: 'cylinder', radius: 0.2, height: 0.35, mass: 1, friction: 0.5 } },
  brick: { r: 0.336, fields: { shape: 'box', size: [0.6, 0.3, 0.25], mass: 1.2, friction: 0.5 } },
};
const PILLAR_R = 0.15;

export const PushingFactors = z
  .object({
    arena: realRange(4, 14, 'length of the floor, metres'),
    distractors: intRange(0, 8, 'other movable objects'),
    lookalikes: intRange(0, 4, 'distractors of the same colour and shape as the target (at most the distractors)'),
    pushDistance: realRange(0.5, 5, 'metres from the target to the goal'),
    pillars: intRange(0, 5, 'static pillars, also landmarks'),
    shapes: choices(PUSH_SHAPES),
    colors: choices(COLOR_NAMES as unknown as [ColorName, ...ColorName[]]),
    words: choices(WORD_SETS),
  })
  .strict();
export type PushingFactors = z.infer<typeof PushingFactors>;

type Relation = 'none' | 'near-landmark' | 'nearest' | 'farthest';

interface Item {
  shape: PushShape;
  color: ColorName;
  p: Pt;
  yaw: number;
}

export const pushing: Builder<PushingFactors> = {
  name: 'pushing',
  robot: 'pusher',
  tags: ['pushing'],
  summary: 'push the named object among distractors',
  factors: PushingFactors,
  knobs: { distractors: 1, lookalikes: 1, pushDistance: 1, arena: 1 },
  build(d, f) {
    const W = mm(d.real(f.arena));
    const H = mm(W * d.real([0.75, 1]));
    const nDistract = d.int(f.distractors);
    const nLook = Math.min(d.int(f.lookalikes), nDistract);
    const pushD = d.real(f.pushDistance);
    const nPillars = d.int(f.pillars);
    const words = d.pick(f.words);
    const vocab = VOCAB[words];
    const occ = new Occupancy(W, H);

    const pillars: Pt[] = [];
    for (let k = 0; k < nPillars; k++) {
      for (let t = 0; t < 10; t++) {
        const p: Pt = [mm(d.real([-W / 2 + 0.9, W / 2 - 0.9])), mm(d.real([-H / 2 + 0.9, H / 2 - 0.9]))];
        if (pillars.every((q) => dist(p, q) > 1.4)) {
          pillars.push(p);
          occ.disc(p[0], p[1], PILLAR_R);
          break;
        }
      }
    }
    const relation: Relation = nLook === 0 ? 'none' : d.pick<Relation>(pillars.length ? ['near-landmark', 'nearest', 'farthest'] : ['nearest', 'farthest']);

    // Robot start, then the target, then its goal.
    const start = freeSpot(d, occ, W, H, 0.6, () => true);
    if (!start) return reject('no free spot for the robot');
    const shape = d.pick(f.shapes);
    const color = d.pick(f.colors);
    const body = BODIES[shape];
    const objOk = (p: Pt) => occ.fits(p[0], p[1], body.r + 0.2) && Math.abs(p[0]) <= W / 2 - body.r - 0.5 && Math.abs(p[1]) <= H / 2 - body.r - 0.5 && dist(p, start) > 0.8;
    let target: Pt | null = null;
    if (relation === 'near-landmark') {
      const q = d.pick(pillars);
      for (let t = 0; t < 12 && !target; t++) {
        const p = polar(q, PILLAR_R + body.r + d.real([0.12, 0.3]), d.real([0, 360])).map(mm) as Pt;
        if (objOk(p) && pillars.every((o) => o === q || dist(o, p) > PILLAR_R + body.r + 0.6)) target = p;
      }
    } else {
      target = freeSpot(d, occ, W, H, body.r + 0.5, objOk);
    }
    if (!target) return reject('no place for the target');
    let goal: Pt | null = null;
    for (let t = 0; t < 20 && !goal; t++) {
      const p = polar(target, pushD, d.real([0, 360])).map(mm) as Pt;
      if (Math.abs(p[0]) <= W / 2 - body.r - 0.6 && Math.abs(p[1]) <= H / 2 - body.r - 0.6 && occ.fits(p[0], p[1], body.r + 0.35)) goal = p;
    }
    if (!goal) return reject(`no goal ${mm(pushD)} m from the target`);
    const tgt = target;
    const g = goal;

    // Distractors: lookalikes first (placed to keep the relation unambiguous), then others.
    const items: Item[] = [{ shape, color, p: tgt, yaw: Math.round(d.real([0, 90])) }];
    const dTarget = dist(tgt, start);
    const pillarGap = (p: Pt) => Math.min(...pillars.map((q) => dist(p, q) - PILLAR_R));
    for (let k = 0; k < nDistract; k++) {
      const look = k < nLook;
      let s2: PushShape = look ? shape : d.pick(f.shapes);
      let c2: ColorName = look ? color : d.pick(f.colors);
      if (!look && s2 === shape && c2 === color) {
        // Not a lookalike: change its colour, or failing that its shape.
        const colors = f.colors.filter((c) => c !== color);
        const shapes = f.shapes.filter((x) => x !== shape);
        if (colors.length) c2 = d.pick(colors);
        else if (shapes.length) s2 = d.pick(shapes);
        else return reject('with one shape and one colour every distractor looks like the target; offer more shapes or colours');
      }
      const r2 = BODIES[s2].r;
      const p = freeSpot(d, occ, W, H, r2 + 0.3, (q) => {
        if (Math.abs(q[0]) > W / 2 - r2 - 0.1 || Math.abs(q[1]) > H / 2 - r2 - 0.1) return false;
        if (dist(q, start) < r2 + 0.7 || dist(q, g) < r2 + TOLERANCE + 0.5) return false;
        if (items.some((it) => dist(it.p, q) < BODIES[it.shape].r + r2 + 0.4)) return false;
        if (!look) return true;
        if (relation === 'near-landmark') return pillarGap(q) > 1.4;
        if (relation === 'nearest') return dist(q, start) > dTarget + 0.8;
        return dist(q, start) < dTarget - 0.8;
      });
      if (!p) {
        if (look) return reject('no place for a lookalike that keeps the relation unambiguous');
        continue;
      }
      items.push({ shape: s2, color: c2, p, yaw: Math.round(d.real([0, 90])) });
    }

    // Push route for the target, with the pusher's room beside it, then the pusher's approach.
    const blockers = new Occupancy(W, H);
    for (const q of pillars) blockers.disc(q[0], q[1], PILLAR_R);
    for (const it of items.slice(1)) blockers.disc(it.p[0], it.p[1], BODIES[it.shape].r);
    // The target may start close to a pillar or wall: it only has to be movable clear of it.
    const push = blockers.route(tgt, g, body.r + CLEARANCE.besideObject, { radius: 0.7, clearance: body.r + 0.05 });
    if (!push) return reject('no push route for the target with room for the pusher beside it');
    const ahead = push.points[Math.min(5, push.points.length - 1)];
    const u = [ahead[0] - tgt[0], ahead[1] - tgt[1]];
    const ul = Math.sqrt(u[0] * u[0] + u[1] * u[1]) || 1;
    const behind: Pt = [tgt[0] - (u[0] / ul) * (body.r + 0.3), tgt[1] - (u[1] / ul) * (body.r + 0.3)];
    blockers.disc(tgt[0], tgt[1], body.r);
    const approach = blockers.route(start, behind, CLEARANCE.pusherRoute);
    if (!approach) return reject('the pusher cannot reach the back of the target');

    // Ids in a drawn order, so the target is not always the first object.
    const order = d.shuffle(items.map((_, k) => k));
    const objects = items
      .map((it, k) => ({ n: order.indexOf(k) + 1, it }))
      .sort((a, b) => a.n - b.n)
      .map(({ n, it }) => ({ id: `object-${n}`, ...BODIES[it.shape].fields, position: it.p, yaw: it.yaw, color: COLORS[it.color] })) as NonNullable<Draft['objects']>;
    const targetId = `object-${order.indexOf(0) + 1}`;
    const obstacles: NonNullable<Draft['obstacles']> = pillars.map((q, k) => ({ id: `pillar-${k + 1}`, shape: 'cylinder', position: q, radius: PILLAR_R, height: 0.8, color: '#7d8a99' }));
    const targetPhrase = describe(vocab, shape, color, relation);
    return {
      description: `Push the ${color} ${shape} ${mm(pushD)} m among ${nDistract} distractors (${nLook} alike${relation === 'none' ? '' : `, told apart by "${relation}"`}) and ${pillars.length} pillars on a ${W} × ${H} m floor.`,
      instruction: instruction(d, 'push', words, { target: targetPhrase, landmark: vocab.pillar, marker: vocab.marker, tol: fmtTol(TOLERANCE) }),
      hint: 'Get behind the target, on the side away from the goal, and push it along a line clear of the other objects, re-positioning behind it whenever the line turns.',
      robot: { type: 'pusher', start: { position: start, yaw: 0 } },
      arena: { size: [W, H], walls: { height: 0.5, thickness: 0.1 } },
      obstacles,
      objects,
      goal: { type: 'push', object: targetId, position: g, tolerance: TOLERANCE },
      randomize: { robotYaw: [-180, 180] },
      timeLimit: Math.ceil(push.length / 0.2 + approach.length / 0.5 + 15),
      factors: { arena: W, distractors: items.length - 1, lookalikes: nLook, pushDistance: pushD, pillars: pillars.length, shape, color, relation, words },
    };
  },
};

/** A drawn point with clearance `c` from the pillars and walls that passes `ok`, or null. */
function freeSpot(d: Draw, occ: Occupancy, W: number, H: number, c: number, ok: (p: Pt) => boolean): Pt | null {
  for (let t = 0; t < 40; t++) {
    const p: Pt = [mm(d.real([-W / 2 + c, W / 2 - c])), mm(d.real([-H / 2 + c, H / 2 - c]))];
    if (occ.fits(p[0], p[1], c) && ok(p)) return p;
  }
  return null;
}

/** "blue crate", "blue crate next to the pillar", "blue crate closest to you" (with slots left for the instruction). */
function describe(vocab: Vocab, shape: PushShape, color: ColorName, relation: Relation): string {
  const rel = relation === 'near-landmark' ? ` ${vocab.nearLandmark}` : relation === 'nearest' ? ` ${vocab.nearest}` : relation === 'farthest' ? ` ${vocab.farthest}` : '';
  return `${color} ${vocab.nouns[shape]}${rel}`;
}
