/**
 * World builder: a resolved layout → a Rapier world (z up, gravity −9.81) plus the static scene
 * description and the handle tables the environment needs.
 *
 * Insertion order is fixed (floor, walls, slopes, steps, obstacles, movable objects, moving
 * obstacles, robot): Rapier's determinism depends on it. Scene bodies are listed in the same
 * order; the floor is drawn from `arena` and is not a scene body.
 */
import type { ColliderDesc, RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import type { Scenario } from '../scenarios/schema.ts';
import { axisAngleQuat, dcos, dsin, quatMul, yawQuat, type Quat } from './detmath.ts';
import type { ResolvedLayout } from './layout.ts';
import type { LidarTarget } from './lidar.ts';
import { MovingPath } from './movingPath.ts';
import type { Rapier } from './physics.ts';
import { buildArm } from './robots/arm.ts';
import { buildDiffDrive } from './robots/diffdrive.ts';
import { buildPusher } from './robots/pusher.ts';
import { FLOOR_GROUPS, type BuildContext, type Robot } from './robots/Robot.ts';
import type { SceneBody, SceneObject, SceneShape } from './types.ts';

export const GRAVITY = -9.81;
const FLOOR_THICKNESS = 0.1;
const SLOPE_THICKNESS = 0.1;
const S = Math.SQRT1_2;
/** Rapier cylinders run along local y; +90° about x stands them up along z. */
const Y_TO_Z = { x: S, y: 0, z: 0, w: S };

export const DEFAULT_COLORS = {
  arena: '#d9d4c7',
  obstacle: '#8a8f98',
  movable: '#e07b39',
  moving: '#c23b3b',
  slope: '#7a9a5a',
  step: '#6b7f99',
  wall: '#555b66',
  spawned: '#9b59b6',
} as const;

type ShapeSpec = { shape: 'box' | 'cylinder' | 'sphere'; size?: [number, number, number]; radius?: number; height?: number };

/** A non-robot body of the scene with what the environment tracks about it. */
export interface TrackedObject {
  /** The observation entry; dynamic entries are refreshed every control step. */
  obj: SceneObject;
  handle: number;
  dynamic: boolean;
  /** The lidar's view of it; `pose` is refreshed every control step for dynamic bodies. */
  target: LidarTarget;
  /** Moving obstacles: their path and speed. */
  path?: MovingPath;
  speed?: number;
  phase?: number;
}

export interface BuiltWorld {
  world: World;
  robot: Robot;
  colliderIds: Map<number, string>;
  /** Every scene body, in transform order for the dynamic ones. */
  bodies: SceneBody[];
  objects: TrackedObject[];
  /** Moving obstacles (subset of `objects`), in insertion order. */
  moving: TrackedObject[];
  floorHandle: number;
}

function collider(R: Rapier, s: ShapeSpec): { desc: ColliderDesc; shape: SceneShape; size: [number, number, number]; halfZ: number } {
  const id: SceneShape['offset'] = [0, 0, 0, 0, 0, 0, 1];
  if (s.shape === 'box') {
    const [x, y, z] = s.size!;
    return { desc: R.ColliderDesc.cuboid(x / 2, y / 2, z / 2), shape: { shape: 'box', dims: [x, y, z], offset: id, color: '' }, size: [x, y, z], halfZ: z / 2 };
  }
  if (s.shape === 'cylinder') {
    const r = s.radius!;
    const h = s.height!;
    return { desc: R.ColliderDesc.cylinder(h / 2, r).setRotation(Y_TO_Z), shape: { shape: 'cylinder', dims: [r, h, 0], offset: id, color: '' }, size: [2 * r, 2 * r, h], halfZ: h / 2 };
  }
  const r = s.radius!;
  return { desc: R.ColliderDesc.ball(r), shape: { shape: 'sphere', dims: [r, 0, 0], offset: id, color: '' }, size: [2 * r, 2 * r, 2 * r], halfZ: r };
}

/** The lidar target for a scene shape at a pose. */
export function lidarTarget(shape: SceneShape, pose: readonly number[]): LidarTarget {
  const d = shape.dims;
  const t: LidarTarget =
    shape.shape === 'box'
      ? { shape: 'box', half: [d[0] / 2, d[1] / 2, d[2] / 2], pose: Float64Array.from(pose) }
      : shape.shape === 'sphere'
        ? { shape: 'sphere', half: [d[0], 0, 0], pose: Float64Array.from(pose) }
        : { shape: 'cylinder', half: [d[0], d[1] / 2, 0], pose: Float64Array.from(pose) };
  return t;
}

function pose(x: number, y: number, z: number, q: Quat): SceneBody['pose'] {
  return [x, y, z, q[0], q[1], q[2], q[3]];
}

function rotOf(q: Quat) {
  return { x: q[0], y: q[1], z: q[2], w: q[3] };
}

export function buildWorld(R: Rapier, scenario: Scenario, layout: ResolvedLayout): BuiltWorld {
  const world = new R.World({ x: 0, y: 0, z: GRAVITY });
  world.timestep = scenario.physicsDt;
  const colliderIds = new Map<number, string>();
  const bodies: SceneBody[] = [];
  const objects: TrackedObject[] = [];
  const moving: TrackedObject[] = [];
  const arena = scenario.arena;

  const addStatic = (id: string, kind: SceneBody['kind'] & SceneObject['kind'], x: number, y: number, z: number, q: Quat, desc: ColliderDesc, shape: SceneShape, size: [number, number, number], friction: number) => {
    const body = world.createRigidBody(R.RigidBodyDesc.fixed().setTranslation(x, y, z).setRotation(rotOf(q)));
    const c = world.createCollider(desc.setFriction(friction), body);
    colliderIds.set(c.handle, id);
    const ps = pose(x, y, z, q);
    bodies.push({ id, kind, dynamic: false, shapes: [shape], pose: ps });
    objects.push({ obj: { id, kind, shape: shape.shape === 'capsule' ? 'box' : shape.shape, size, x, y, z, yaw: 0, vx: 0, vy: 0 }, handle: body.handle, dynamic: false, target: lidarTarget(shape, ps) });
    return objects[objects.length - 1];
  };

  // Floor: top face at z = 0.
  const floor = world.createRigidBody(R.RigidBodyDesc.fixed().setTranslation(0, 0, -FLOOR_THICKNESS / 2));
  const floorCollider = world.createCollider(
    R.ColliderDesc.cuboid(arena.size[0] / 2, arena.size[1] / 2, FLOOR_THICKNESS / 2).setFriction(arena.friction).setCollisionGroups(FLOOR_GROUPS),
    floor,
  );
  colliderIds.set(floorCollider.handle, 'floor');

  // Perimeter walls, outside the floor's edge so the usable area is exactly `arena.size`.
  if (arena.walls) {
    const { height: h, thickness: t } = arena.walls;
    const [W, H] = arena.size;
    const walls: [string, number, number, number, number][] = [
      ['wall_north', 0, H / 2 + t / 2, W + 2 * t, t],
      ['wall_south', 0, -H / 2 - t / 2, W + 2 * t, t],
      ['wall_east', W / 2 + t / 2, 0, t, H],
      ['wall_west', -W / 2 - t / 2, 0, t, H],
    ];
    for (const [id, x, y, sx, sy] of walls) {
      const shape: SceneShape = { shape: 'box', dims: [sx, sy, h], offset: [0, 0, 0, 0, 0, 0, 1], color: DEFAULT_COLORS.wall };
      addStatic(id, 'wall', x, y, h / 2, [0, 0, 0, 1], R.ColliderDesc.cuboid(sx / 2, sy / 2, h / 2), shape, [sx, sy, h], arena.friction);
    }
  }

  // Slopes: a tilted slab whose top face rises from z = 0 at the low edge to length·sin(angle).
  for (const s of arena.slopes) {
    const a = (s.angle * Math.PI) / 180;
    const yaw = (s.yaw * Math.PI) / 180;
    const sa = dsin(a);
    const ca = dcos(a);
    // Pitch by −a about local y lifts the +x end.
    const q = quatMul(yawQuat(yaw), axisAngleQuat([0, 1, 0], -a));
    const z = (s.length * sa) / 2 - (SLOPE_THICKNESS / 2) * ca;
    const shape: SceneShape = { shape: 'box', dims: [s.length, s.width, SLOPE_THICKNESS], offset: [0, 0, 0, 0, 0, 0, 1], color: s.color ?? DEFAULT_COLORS.slope };
    const o = addStatic(s.id, 'slope', s.position[0], s.position[1], z, q, R.ColliderDesc.cuboid(s.length / 2, s.width / 2, SLOPE_THICKNESS / 2), shape, [s.length * ca, s.width, s.length * sa], arena.friction);
    o.obj.yaw = yaw;
  }

  // Steps: raised platforms.
  for (const s of arena.steps) {
    const yaw = (s.yaw * Math.PI) / 180;
    const shape: SceneShape = { shape: 'box', dims: [s.size[0], s.size[1], s.height], offset: [0, 0, 0, 0, 0, 0, 1], color: s.color ?? DEFAULT_COLORS.step };
    const o = addStatic(s.id, 'step', s.position[0], s.position[1], s.height / 2, yawQuat(yaw), R.ColliderDesc.cuboid(s.size[0] / 2, s.size[1] / 2, s.height / 2), shape, [s.size[0], s.size[1], s.height], arena.friction);
    o.obj.yaw = yaw;
  }

  // Static obstacles.
  for (const o of layout.obstacles) {
    const c = collider(R, o.spec);
    c.shape.color = o.spec.color ?? DEFAULT_COLORS.obstacle;
    const t = addStatic(o.spec.id, 'obstacle', o.x, o.y, c.halfZ, yawQuat(o.yaw), c.desc, c.shape, c.size, 0.6);
    t.obj.yaw = o.yaw;
  }

  // Movable objects.
  for (const o of layout.objects) {
    const c = collider(R, o.spec);
    c.shape.color = o.spec.color ?? DEFAULT_COLORS.movable;
    const q = yawQuat(o.yaw);
    const body = world.createRigidBody(R.RigidBodyDesc.dynamic().setTranslation(o.x, o.y, c.halfZ).setRotation(rotOf(q)).setLinearDamping(0.1).setAngularDamping(0.2));
    const col = world.createCollider(c.desc.setMass(o.spec.mass).setFriction(o.spec.friction), body);
    colliderIds.set(col.handle, o.spec.id);
    const ps = pose(o.x, o.y, c.halfZ, q);
    bodies.push({ id: o.spec.id, kind: 'movable', dynamic: true, shapes: [c.shape], pose: ps });
    objects.push({ obj: { id: o.spec.id, kind: 'movable', shape: o.spec.shape, size: c.size, x: o.x, y: o.y, z: c.halfZ, yaw: o.yaw, vx: 0, vy: 0 }, handle: body.handle, dynamic: true, target: lidarTarget(c.shape, ps) });
  }

  // Kinematic moving obstacles, placed at their phase; the environment drives them every step.
  for (const m of layout.moving) {
    const c = collider(R, m.spec);
    c.shape.color = m.spec.color ?? DEFAULT_COLORS.moving;
    const path = new MovingPath(m.spec.path, m.spec.mode);
    const p: [number, number] = [0, 0];
    path.at(m.phase, p);
    const body = world.createRigidBody(R.RigidBodyDesc.kinematicPositionBased().setTranslation(p[0], p[1], c.halfZ));
    const col = world.createCollider(c.desc.setFriction(0.5), body);
    colliderIds.set(col.handle, m.spec.id);
    const ps = pose(p[0], p[1], c.halfZ, [0, 0, 0, 1]);
    bodies.push({ id: m.spec.id, kind: 'moving', dynamic: true, shapes: [c.shape], pose: ps });
    const t: TrackedObject = {
      obj: { id: m.spec.id, kind: 'moving', shape: m.spec.shape, size: c.size, x: p[0], y: p[1], z: c.halfZ, yaw: 0, vx: 0, vy: 0 },
      handle: body.handle,
      dynamic: true,
      target: lidarTarget(c.shape, ps),
      path,
      speed: m.spec.speed,
      phase: m.phase,
    };
    objects.push(t);
    moving.push(t);
  }

  // Robot last.
  const ctx: BuildContext = { R, world, colliderIds };
  const opts = { start: layout.start, joints: layout.joints, controlPeriod: scenario.controlPeriod };
  const robot = scenario.robot.type === 'diffdrive' ? buildDiffDrive(ctx, opts) : scenario.robot.type === 'pusher' ? buildPusher(ctx, opts) : buildArm(ctx, opts);
  for (const part of robot.parts) {
    const b: RigidBody = world.getRigidBody(part.handle);
    const t = b.translation();
    const r = b.rotation();
    bodies.push({ id: part.id, kind: part.kind, dynamic: true, shapes: part.shapes, pose: [t.x, t.y, t.z, r.x, r.y, r.z, r.w] });
  }

  return { world, robot, colliderIds, bodies, objects, moving, floorHandle: floor.handle };
}
