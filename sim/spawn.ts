/**
 * Teaching-mode obstacles: dynamic bodies dropped into a running episode by a user
 * (`SimEnv.spawnObstacle`). Each is a 0.3 m box, cylinder or sphere of 2 kg. The environment
 * appends them to the scene (kind `spawned`) and to every later transforms frame, and carries
 * them in its snapshots.
 */
import type { World } from '@dimforge/rapier3d-deterministic-compat';
import { UserError } from '../core/errors.ts';
import type { LidarTarget } from './lidar.ts';
import type { Rapier } from './physics.ts';
import type { SceneBody, SceneObject } from './types.ts';
import { DEFAULT_COLORS, lidarTarget } from './world.ts';

export type SpawnShape = 'box' | 'cylinder' | 'sphere';

export const SPAWN_SIZE = 0.3;
export const SPAWN_MASS = 2;

/** A body added at run time, with its scene, observation and lidar entries. */
export interface Spawned {
  id: string;
  handle: number;
  colliderHandle: number;
  body: SceneBody;
  obj: SceneObject;
  target: LidarTarget;
}

/** Creates the body and collider in `world`, registers the collider under `id`. Position is
 * [x, y] on the floor or [x, y, z] for the centre. */
export function buildSpawned(R: Rapier, world: World, colliderIds: Map<number, string>, id: string, shape: SpawnShape, position: readonly number[]): Spawned {
  if (!['box', 'cylinder', 'sphere'].includes(shape)) throw new UserError('E_SPAWN', `spawn shape must be box, cylinder or sphere, got "${shape}"`);
  if ((position.length !== 2 && position.length !== 3) || !position.every(Number.isFinite)) {
    throw new UserError('E_SPAWN', `spawn position must be [x, y] or [x, y, z] in finite metres, got ${JSON.stringify(position)}`);
  }
  const h = SPAWN_SIZE / 2;
  const [x, y] = position;
  const z = position.length > 2 ? position[2] : h;
  const S = Math.SQRT1_2;
  const desc = shape === 'box' ? R.ColliderDesc.cuboid(h, h, h) : shape === 'cylinder' ? R.ColliderDesc.cylinder(h, h).setRotation({ x: S, y: 0, z: 0, w: S }) : R.ColliderDesc.ball(h);
  const body = world.createRigidBody(R.RigidBodyDesc.dynamic().setTranslation(x, y, z).setLinearDamping(0.1).setAngularDamping(0.2));
  const col = world.createCollider(desc.setMass(SPAWN_MASS).setFriction(0.6), body);
  colliderIds.set(col.handle, id);
  const dims: [number, number, number] = shape === 'box' ? [SPAWN_SIZE, SPAWN_SIZE, SPAWN_SIZE] : shape === 'cylinder' ? [h, SPAWN_SIZE, 0] : [h, 0, 0];
  const shapeDesc = { shape, dims, offset: [0, 0, 0, 0, 0, 0, 1] as [number, number, number, number, number, number, number], color: DEFAULT_COLORS.spawned };
  return {
    id,
    handle: body.handle,
    colliderHandle: col.handle,
    body: { id, kind: 'spawned', dynamic: true, shapes: [shapeDesc], pose: [x, y, z, 0, 0, 0, 1] },
    obj: { id, kind: 'obstacle', shape, size: [SPAWN_SIZE, SPAWN_SIZE, SPAWN_SIZE], x, y, z, yaw: 0, vx: 0, vy: 0 },
    target: lidarTarget(shapeDesc, [x, y, z, 0, 0, 0, 1]),
  };
}

/** A copy whose mutable parts (observation entry, lidar pose) are independent, for snapshots. */
export function copySpawned(s: Spawned): Spawned {
  return { ...s, obj: { ...s.obj }, target: { ...s.target, pose: s.target.pose.slice() } };
}
