/**
 * Arm reach and push among distractors (arm). `reach`: bring the end effector to a point in
 * the air, sometimes named by the block it hovers over ("the goal point above the red block").
 * `push`: slide the named block along the floor to a goal region. Distractor blocks and pucks in
 * other colours lie around the base; `bearing` (degrees either side of the arm's start heading)
 * and `radius` say where the target is.
 *
 * Solvable (reachability): every target point is at most 0.70 m from the shoulder (the arm
 * reaches 0.75 m) and at least 0.28 m out from the base; for a push, the whole line from a
 * staging point behind the block to the goal stays within that band and clear of distractors.
 */
import { z } from 'zod';
import { ARM_SHOULDER_HEIGHT } from '../../semantics.ts';
import { reject, type Builder, type Draft } from '../Builder.ts';
import { deg, mm } from '../Draw.ts';
import { choices, intRange, realRange } from '../factors.ts';
import { COLOR_NAMES, COLORS, instruction, VOCAB, WORD_SETS, type ColorName } from '../language.ts';
import { dist, polar, segmentDistance, type Pt } from '../plane.ts';

const MAX_REACH = 0.7;
/** The end effector at the arm's home pose (shoulder -30°, elbow 60°): metres out along the heading, and up. */
const HOME_EE = [0.649, 0.225] as const;
const MIN_RADIUS = 0.28;
const ITEMS = {
  block: { r: 0.057, fields: { shape: 'box', size: [0.08, 0.08, 0.08], mass: 0.2, friction: 0.4 }, top: 0.08 },
  puck: { r: 0.05, fields: { shape: 'cylinder', radius: 0.05, height: 0.04, mass: 0.15, friction: 0.4 }, top: 0.04 },
} as const;
type ArmItem = keyof typeof ITEMS;

export const ArmFactors = z
  .object({
    tasks: choices(['reach', 'push']),
    distractors: intRange(0, 8, 'blocks and pucks besides the target'),
    radius: realRange(MIN_RADIUS, 0.68, "horizontal distance of the target from the arm's base, metres"),
    bearing: realRange(0, 170, "degrees either side of the arm's start heading (its base turns at most 170°)"),
    height: realRange(0.05, 0.6, 'height of a reach goal above the floor, metres'),
    pushDistance: realRange(0.1, 0.5, 'metres from the block to the goal'),
    shapes: choices(['block', 'puck']),
    colors: choices(COLOR_NAMES as unknown as [ColorName, ...ColorName[]]),
    words: choices(WORD_SETS),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.colors.length < 2) ctx.addIssue({ code: 'custom', path: ['colors'], message: 'the target is named by its colour, so distractors need another: list at least two colours' });
  });
export type ArmFactors = z.infer<typeof ArmFactors>;

const shoulderDistance = (p: readonly number[], z: number) => Math.sqrt(p[0] * p[0] + p[1] * p[1] + (z - ARM_SHOULDER_HEIGHT) * (z - ARM_SHOULDER_HEIGHT));
const radiusOf = (p: readonly number[]) => Math.sqrt(p[0] * p[0] + p[1] * p[1]);

export const arm: Builder<ArmFactors> = {
  name: 'arm',
  robot: 'arm',
  tags: ['arm'],
  summary: 'arm reach or push among distractors',
  factors: ArmFactors,
  knobs: { distractors: 1, radius: 1, bearing: 1, pushDistance: 1 },
  build(d, f) {
    const task = d.pick(f.tasks);
    const heading = Math.round(d.real([-180, 180]));
    const bearing = d.real(f.bearing);
    const side = d.chance(0.5) ? 1 : -1;
    const radius = d.real(f.radius);
    const nDistract = d.int(f.distractors);
    const words = d.pick(f.words);
    const vocab = VOCAB[words];
    const base: Pt = [0, 0];
    const color = d.pick(f.colors);
    const item = d.pick(f.shapes);
    const target = polar(base, radius, heading + side * bearing).map(mm) as Pt;
    const others = f.colors.filter((c) => c !== color);

    const items: { kind: ArmItem; color: ColorName; p: Pt }[] = [];
    let goal: Draft['goal'];
    let where = '';
    let keepOut: (p: Pt, r: number) => boolean;
    let pushD = 0;
    if (task === 'reach') {
      let z = mm(d.real(f.height));
      const anchored = d.chance(0.5);
      if (anchored) {
        items.push({ kind: item, color, p: target });
        z = mm(Math.max(z, ITEMS[item].top + 0.08));
        where = vocab.above;
      }
      if (shoulderDistance(target, z) > MAX_REACH) return reject(`goal ${mm(shoulderDistance(target, z))} m from the shoulder, beyond ${MAX_REACH} m`);
      // Not where the tip already is at the home pose (0.649 m out along the heading, 0.225 m up).
      const home = polar(base, HOME_EE[0], heading);
      const dh = dist(home, target);
      const dz = z - HOME_EE[1];
      if (Math.sqrt(dh * dh + dz * dz) < 0.15) return reject('goal next to where the tip starts');
      goal = { type: 'ee_reach', position: [target[0], target[1], z], tolerance: 0.05 };
      keepOut = (p, r) => dist(p, target) > r + 0.12;
    } else {
      pushD = d.real(f.pushDistance);
      let g: Pt | null = null;
      let stage: Pt = target;
      for (let t = 0; t < 24 && !g; t++) {
        const dir = d.real([0, 360]);
        const c = polar(target, pushD, dir).map(mm) as Pt;
        stage = polar(target, -0.1, dir);
        const line = Array.from({ length: 11 }, (_, k) => [stage[0] + ((c[0] - stage[0]) * k) / 10, stage[1] + ((c[1] - stage[1]) * k) / 10]);
        if (line.every((p) => radiusOf(p) >= MIN_RADIUS - 0.03 && shoulderDistance(p, 0) <= MAX_REACH)) g = c;
      }
      if (!g) return reject(`no goal ${mm(pushD)} m from the block with the whole push inside the arm's reach`);
      const gp = g;
      const st = stage;
      items.push({ kind: item, color, p: target });
      goal = { type: 'push', object: 'target', position: gp, tolerance: 0.06 };
      keepOut = (p, r) => segmentDistance(p, st, gp) > r + 0.12 && dist(p, target) > r + 0.12;
    }

    // Distractors in other colours, around the base, clear of the task.
    for (let k = 0; k < nDistract; k++) {
      const kind = d.pick(f.shapes);
      const r = ITEMS[kind].r;
      for (let t = 0; t < 20; t++) {
        const p = polar(base, d.real([MIN_RADIUS + 0.02, 0.66]), d.real([-180, 180])).map(mm) as Pt;
        if (keepOut(p, r) && items.every((it) => dist(it.p, p) > ITEMS[it.kind].r + r + 0.08)) {
          items.push({ kind, color: d.pick(others), p });
          break;
        }
      }
    }
    const order = d.shuffle(items.map((_, k) => k));
    const idOf = (k: number) => `object-${order.indexOf(k) + 1}`;
    const objects = items
      .map((it, k) => ({ n: order.indexOf(k) + 1, it }))
      .sort((a, b) => a.n - b.n)
      .map(({ n, it }) => ({ id: `object-${n}`, ...ITEMS[it.kind].fields, position: it.p, yaw: Math.round(d.real([0, 90])), color: COLORS[it.color] })) as NonNullable<Draft['objects']>;
    if (goal.type === 'push') goal = { ...goal, object: idOf(0) };
    const noun = vocab.nouns[item];
    const targetPhrase = `${color} ${noun}`;
    const text =
      task === 'reach'
        ? instruction(d, 'arm-reach', words, { marker: vocab.pointMarker, where, target: targetPhrase, tol: '5' })
        : instruction(d, 'arm-push', words, { marker: vocab.marker, target: targetPhrase, tol: '6' });
    return {
      description:
        task === 'reach'
          ? `Reach a point ${mm(radius)} m out, ${deg(bearing)}° off the arm's heading${where ? `, above the ${color} ${item}` : ''}, among ${items.length - (where ? 1 : 0)} other objects.`
          : `Slide the ${color} ${item} ${mm(pushD)} m, starting ${mm(radius)} m out and ${deg(bearing)}° off the arm's heading, among ${items.length - 1} other objects.`,
      instruction: text,
      hint:
        task === 'reach'
          ? 'Turn the base towards the goal first, then bend the shoulder and elbow until the tip is there, and hold still.'
          : 'Lower the tip to the floor on the far side of the block from the goal, then sweep it towards the goal, keeping the tip low.',
      robot: { type: 'arm', start: { position: base, yaw: heading } },
      arena: { size: [3, 3] },
      objects,
      goal,
      timeLimit: task === 'reach' ? 12 : Math.ceil(15 + pushD * 40),
      factors: { task, distractors: items.length - (task === 'push' || where ? 1 : 0), radius, bearing, ...(task === 'push' ? { pushDistance: pushD } : {}), shape: item, color, words },
    };
  },
};
