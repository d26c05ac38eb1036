/**
 * planarena's scene as Foxglove scene entities (`foxglove.SceneUpdate`): the arena floor and the
 * goal in the `world` frame, and one entity per body in its own frame `body/<id>`, frame-locked,
 * so that `/tf` alone moves the robot and the objects. Primitives sit at the shape's offset in
 * its body (sim/types.ts `SceneShape`); capsules, which Foxglove has no primitive for, become a
 * cylinder and two spheres.
 */
import type { SceneBody, SceneShape, StaticScene } from '../../sim/types.ts';

export interface Time {
  sec: number;
  nsec: number;
}
interface Vec3 {
  x: number;
  y: number;
  z: number;
}
interface Quat extends Vec3 {
  w: number;
}
interface Pose {
  position: Vec3;
  orientation: Quat;
}
interface Color {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** A `foxglove.SceneEntity` with every field the schema requires. */
export interface SceneEntity {
  timestamp: Time;
  frame_id: string;
  id: string;
  lifetime: Time;
  frame_locked: boolean;
  metadata: { key: string; value: string }[];
  arrows: unknown[];
  cubes: { pose: Pose; size: Vec3; color: Color }[];
  spheres: { pose: Pose; size: Vec3; color: Color }[];
  cylinders: { pose: Pose; size: Vec3; bottom_scale: number; top_scale: number; color: Color }[];
  lines: { type: number; pose: Pose; thickness: number; scale_invariant: boolean; points: Vec3[]; color: Color; colors: Color[]; indices: number[] }[];
  triangles: unknown[];
  texts: unknown[];
  models: unknown[];
}

export const WORLD = 'world';
export const bodyFrame = (id: string) => `body/${id}`;

/** Nanoseconds → foxglove `time`. */
export function timeOf(ns: bigint): Time {
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}

const IDENTITY: Quat = { x: 0, y: 0, z: 0, w: 1 };
const ZERO_TIME: Time = { sec: 0, nsec: 0 };

export function color(hex: string, a = 1): Color {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  const v = m ? parseInt(m[1], 16) : 0x888888;
  return { r: ((v >> 16) & 255) / 255, g: ((v >> 8) & 255) / 255, b: (v & 255) / 255, a };
}

function entity(id: string, frame: string, stamp: Time, locked: boolean, metadata: Record<string, string>): SceneEntity {
  return {
    timestamp: stamp,
    frame_id: frame,
    id,
    lifetime: ZERO_TIME,
    frame_locked: locked,
    metadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    arrows: [],
    cubes: [],
    spheres: [],
    cylinders: [],
    lines: [],
    triangles: [],
    texts: [],
    models: [],
  };
}

/** [x, y, z, qx, qy, qz, qw] → pose. */
export function poseOf(p: readonly number[]): Pose {
  return { position: { x: p[0], y: p[1], z: p[2] }, orientation: { x: p[3], y: p[4], z: p[5], w: p[6] } };
}

function addShape(e: SceneEntity, s: SceneShape): void {
  const pose = poseOf(s.offset);
  const c = color(s.color);
  const [a, b] = s.dims;
  if (s.shape === 'box') e.cubes.push({ pose, size: { x: s.dims[0], y: s.dims[1], z: s.dims[2] }, color: c });
  else if (s.shape === 'sphere') e.spheres.push({ pose, size: { x: 2 * a, y: 2 * a, z: 2 * a }, color: c });
  else if (s.shape === 'cylinder') e.cylinders.push({ pose, size: { x: 2 * a, y: 2 * a, z: b }, bottom_scale: 1, top_scale: 1, color: c });
  else {
    // Capsule along local z: a cylinder of 2·halfHeight and a sphere at each end (offset rotated into the body frame).
    e.cylinders.push({ pose, size: { x: 2 * a, y: 2 * a, z: 2 * b }, bottom_scale: 1, top_scale: 1, color: c });
    const q = pose.orientation;
    // Local z axis of the shape's rotation.
    const zx = 2 * (q.x * q.z + q.w * q.y);
    const zy = 2 * (q.y * q.z - q.w * q.x);
    const zz = 1 - 2 * (q.x * q.x + q.y * q.y);
    for (const sign of [1, -1]) {
      const at = { x: pose.position.x + sign * b * zx, y: pose.position.y + sign * b * zy, z: pose.position.z + sign * b * zz };
      e.spheres.push({ pose: { position: at, orientation: IDENTITY }, size: { x: 2 * a, y: 2 * a, z: 2 * a }, color: c });
    }
  }
}

/** Every entity of a scene: arena, goal, and each body in its own frame. */
export function sceneEntities(scene: StaticScene, stamp: Time): SceneEntity[] {
  const [w, h] = scene.arena.size;
  const arena = entity('arena', WORLD, stamp, false, { kind: 'arena', scenario: scene.scenarioId });
  arena.cubes.push({ pose: { position: { x: 0, y: 0, z: -0.005 }, orientation: IDENTITY }, size: { x: w, y: h, z: 0.01 }, color: color(scene.arena.color) });

  const g = scene.goal;
  const goal = entity('goal', WORLD, stamp, false, { kind: 'goal', type: g.type, ...(g.object ? { object: g.object } : {}) });
  const green = color('#22c55e', 0.5);
  if (g.type === 'ee_reach') {
    goal.spheres.push({ pose: { position: { x: g.position[0], y: g.position[1], z: g.position[2] }, orientation: IDENTITY }, size: { x: 2 * g.tolerance, y: 2 * g.tolerance, z: 2 * g.tolerance }, color: green });
  } else {
    goal.cylinders.push({ pose: { position: { x: g.position[0], y: g.position[1], z: 0.005 }, orientation: IDENTITY }, size: { x: 2 * g.tolerance, y: 2 * g.tolerance, z: 0.01 }, bottom_scale: 1, top_scale: 1, color: green });
  }
  return [arena, goal, ...scene.bodies.map((b) => bodyEntity(b, stamp))];
}

function bodyEntity(b: SceneBody, stamp: Time): SceneEntity {
  const e = entity(`body:${b.id}`, bodyFrame(b.id), stamp, true, { kind: b.kind, dynamic: String(b.dynamic) });
  for (const s of b.shapes) addShape(e, s);
  return e;
}

/** Imagined futures (`info.imagined.rollouts`, world coordinates) as one entity of line strips:
 * elites bright, the others faint. */
export function imaginedEntity(rollouts: readonly { points: unknown; elite?: unknown; cost?: unknown }[], stamp: Time): SceneEntity {
  const e = entity('imagined', WORLD, stamp, false, { kind: 'imagined', rollouts: String(rollouts.length) });
  for (const r of rollouts) {
    if (!Array.isArray(r.points)) continue;
    const points = (r.points as unknown[]).filter((p): p is number[] => Array.isArray(p) && p.length >= 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v))).map((p) => ({ x: p[0], y: p[1], z: p[2] ?? 0.05 }));
    if (points.length < 2) continue;
    e.lines.push({
      type: 0, // LINE_STRIP
      pose: { position: { x: 0, y: 0, z: 0 }, orientation: IDENTITY },
      thickness: r.elite === true ? 0.02 : 0.01,
      scale_invariant: false,
      points,
      color: r.elite === true ? color('#f59e0b', 0.9) : color('#60a5fa', 0.35),
      colors: [],
      indices: [],
    });
  }
  return e;
}
