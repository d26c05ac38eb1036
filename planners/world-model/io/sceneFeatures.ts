/**
 * What the world model reads: the simulator's flat vector (proprioception, goal, lidar, the 3
 * nearest objects, push geometry) followed by the whole object list as a set, the same list the
 * LLM and the scripted controller get (`obs.objects`, at the run's observation tier).
 *
 * The set is a fixed block of MAX_OBJECTS slots of OBJECT_FEATURES each, then one mask slot per
 * object (1: present). The encoder's set encoder (model/SetEncoder.ts) reads it with one shared
 * per-object network and masked mean and max pooling, so the result does not depend on the
 * order of the list. With more than MAX_OBJECTS objects, the nearest by clearance are kept (ties
 * by id); no core scenario or generated family comes near the limit.
 *
 * Per object, in the robot frame (chassis heading; the arm's base), lengths /5 m:
 *
 * | features | contents |
 * | --- | --- |
 * | 0-2   | centre − robot point x, y, z |
 * | 3-4   | cos, sin of the object's yaw relative to the robot's heading |
 * | 5-7   | full size x, y, z |
 * | 8-9   | ground velocity x, y (m/s) |
 * | 10    | clearance: distance from the robot point to the object's footprint (0 inside) |
 * | 11-16 | kind one-hot: movable, obstacle, moving, slope, step, wall |
 * | 17    | 1 for the object a push task names |
 *
 * The robot point is the chassis for ground robots and the end effector for the arm, as in
 * the flat goal segment.
 */
import type { RobotType } from '../../../scenarios/schema.ts';
import { headingCS, POS_SCALE } from '../../../sim/observation.ts';
import type { Observation, SceneObject } from '../../../sim/types.ts';

export const MAX_OBJECTS = 32;
export const OBJECT_FEATURES = 18;
const KINDS: SceneObject['kind'][] = ['movable', 'obstacle', 'moving', 'slope', 'step', 'wall'];

/** Length of the set block (features and mask) appended to the flat vector. */
export const SET_LENGTH = MAX_OBJECTS * OBJECT_FEATURES + MAX_OBJECTS;

/** The checkpoint layout strings of the set block (after the flat layout). */
export function setLayout(flatLength: number): string[] {
  return [`object_set@${flatLength}+${MAX_OBJECTS * OBJECT_FEATURES}`, `object_mask@${flatLength + MAX_OBJECTS * OBJECT_FEATURES}+${MAX_OBJECTS}`];
}

/** Distance from (px, py) to the footprint of `o` (an oriented box; cylinders and spheres by radius). */
export function clearance(o: SceneObject, px: number, py: number): number {
  const dx = px - o.x;
  const dy = py - o.y;
  if (o.shape !== 'box') return Math.max(0, Math.hypot(dx, dy) - o.size[0] / 2);
  const c = Math.cos(o.yaw);
  const s = Math.sin(o.yaw);
  const lx = Math.abs(c * dx + s * dy) - o.size[0] / 2;
  const ly = Math.abs(-s * dx + c * dy) - o.size[1] / 2;
  return Math.hypot(Math.max(lx, 0), Math.max(ly, 0));
}

/** The robot point objects are measured from (and the probe decodes): the end effector for the
 * arm, else the chassis. */
export function robotPoint(obs: Observation, robot: RobotType): [number, number, number] {
  const r = obs.robot;
  return robot === 'arm' && r.ee ? [r.ee.x, r.ee.y, r.ee.z] : [r.pose.x, r.pose.y, r.pose.z];
}

/** Writes the set block for `obs` into `out` at `offset` (zeros where there is no object). */
export function writeObjectSet(obs: Observation, robot: RobotType, out: Float32Array, offset: number): void {
  out.fill(0, offset, offset + SET_LENGTH);
  const [px, py, pz] = robotPoint(obs, robot);
  const [c, s] = headingCS(obs.robot.quat);
  const yaw0 = Math.atan2(s, c);
  let chosen: readonly SceneObject[] = obs.objects;
  if (chosen.length > MAX_OBJECTS) {
    chosen = chosen
      .map((o) => ({ o, d: clearance(o, px, py) }))
      .sort((a, b) => a.d - b.d || (a.o.id < b.o.id ? -1 : a.o.id > b.o.id ? 1 : 0))
      .slice(0, MAX_OBJECTS)
      .map((e) => e.o);
  }
  const pushId = obs.goal.type === 'push' ? obs.goal.object : undefined;
  const maskAt = offset + MAX_OBJECTS * OBJECT_FEATURES;
  chosen.forEach((o, i) => {
    let k = offset + i * OBJECT_FEATURES;
    const dx = o.x - px;
    const dy = o.y - py;
    out[k++] = (c * dx + s * dy) / POS_SCALE;
    out[k++] = (-s * dx + c * dy) / POS_SCALE;
    out[k++] = (o.z - pz) / POS_SCALE;
    out[k++] = Math.cos(o.yaw - yaw0);
    out[k++] = Math.sin(o.yaw - yaw0);
    out[k++] = o.size[0] / POS_SCALE;
    out[k++] = o.size[1] / POS_SCALE;
    out[k++] = o.size[2] / POS_SCALE;
    out[k++] = c * o.vx + s * o.vy;
    out[k++] = -s * o.vx + c * o.vy;
    out[k++] = clearance(o, px, py) / POS_SCALE;
    for (const kind of KINDS) out[k++] = o.kind === kind ? 1 : 0;
    out[k++] = o.id === pushId ? 1 : 0;
    out[maskAt + i] = 1;
  });
}

/** The world model's input for `obs`: `obs.flat`, followed by the object set when `objects`. */
export function modelInput(obs: Observation, robot: RobotType, objects: boolean): Float32Array {
  if (!objects) return obs.flat;
  const out = new Float32Array(obs.flat.length + SET_LENGTH);
  out.set(obs.flat, 0);
  writeObjectSet(obs, robot, out, obs.flat.length);
  return out;
}

/** A checkpoint's input layout: the simulator's flat layout ("goal@7+4", ...), then the set
 * block's two segments when the model reads objects. */
export function inputLayout(flatLayout: readonly string[], objects: boolean): string[] {
  if (!objects) return [...flatLayout];
  const last = flatLayout[flatLayout.length - 1] ?? '@0+0';
  const [, at] = last.split('@');
  const [offset, length] = at.split('+').map(Number);
  return [...flatLayout, ...setLayout(offset + length)];
}
