/**
 * The environment contract, shared by the simulator, every planner, the runner, the recorder
 * and the viewer. Modelled on Gymnasium's `reset`/`step`, with named fields.
 *
 * Frames: world frame z up, metres, seconds, radians (scenario files use degrees; the loader
 * converts). Yaw is counter-clockwise about +z from +x.
 */
import type { RobotType, Scenario } from '../scenarios/schema.ts';

/** Physics flavour and lidar method are run settings, defined with the run configuration. */
export { LIDAR_METHODS, OBSERVATION_TIERS, type LidarMethod, type ObservationTier, type PhysicsFlavor } from '../core/runConfig.ts';
import type { PhysicsFlavor } from '../core/runConfig.ts';

export interface Pose2 {
  x: number;
  y: number;
  /** Radians, counter-clockwise from +x. */
  yaw: number;
}

/** Proprioception of the robot. */
export interface RobotState {
  type: RobotType;
  /** Chassis (or arm base) position and heading. `z` is the chassis centre height. */
  pose: Pose2 & { z: number };
  /** Orientation quaternion [x, y, z, w] of the chassis. */
  quat: [number, number, number, number];
  /** Linear velocity in the world frame (m/s) and yaw rate (rad/s). */
  vel: { vx: number; vy: number; wz: number };
  /** Joint angles (rad) and velocities (rad/s): wheel joints for diffdrive, arm joints for arm, empty for pusher. */
  joints: { pos: number[]; vel: number[] };
  /** Arm only: end-effector position in the world frame. */
  ee?: { x: number; y: number; z: number };
}

/** Everything in the scene a planner may know about, besides the robot. */
export interface SceneObject {
  id: string;
  kind: 'movable' | 'obstacle' | 'moving' | 'slope' | 'step' | 'wall';
  shape: 'box' | 'cylinder' | 'sphere';
  /** Full extents [x, y, z] of the shape's bounding box in its own frame. */
  size: [number, number, number];
  x: number;
  y: number;
  z: number;
  yaw: number;
  /** Velocity on the ground plane (non-zero for movable and moving objects). */
  vx: number;
  vy: number;
}

export interface ResolvedGoal {
  type: 'reach' | 'push' | 'ee_reach';
  /** Goal position: [x, y] for reach/push, [x, y, z] for ee_reach. */
  position: number[];
  tolerance: number;
  /** For push: the id of the object that must reach the goal. */
  object?: string;
}

export interface Lidar {
  /** Ray angles relative to the robot's heading (rad), evenly spaced over 360°. */
  angles: number[];
  /** Distance to the first hit per ray, clamped to maxRange. Rays ignore the robot itself. */
  ranges: number[];
  maxRange: number;
}

/**
 * One observation. The structured fields are for planners that reason (LLM, scripted); `flat`
 * is a fixed-length Float32 vector for learned planners, its layout in `sim/observation.ts`
 * (`obsLayout(robotType)` names every slot).
 */
export interface Observation {
  /** Simulated time (s) and control step index since reset. */
  t: number;
  step: number;
  robot: RobotState;
  objects: SceneObject[];
  goal: ResolvedGoal;
  lidar: Lidar;
  flat: Float32Array;
}

/** Why an episode failed (defined with the episode record). */
export type { FailureReason } from '../core/records.ts';
import type { FailureReason } from '../core/records.ts';

export type SimEvent =
  /** A contact pair started touching. `a` is always the robot (or its part) when the robot is
   * involved (`isRobotPart` in sim/robots/Robot.ts says which ids are the robot's). */
  | { type: 'collision'; t: number; a: string; b: string }
  | { type: 'contact_end'; t: number; a: string; b: string }
  | { type: 'perturbation'; t: number; target: string; impulse: [number, number, number]; source: 'scenario' | 'user' }
  | { type: 'spawn'; t: number; id: string; source: 'user' }
  | { type: 'success'; t: number }
  | { type: 'failure'; t: number; reason: FailureReason; detail?: string };

export interface StepInfo {
  t: number;
  step: number;
  events: SimEvent[];
  success: boolean;
  failure: FailureReason | null;
  /** Distance from the task's subject (robot, object or end effector) to the goal. */
  goalDistance: number;
  /** Collisions of the robot that started during this step: contact starts of any robot body
   * with anything but the floor and the object a push task is about (touching it is the task).
   * The one count every consumer (reward, metrics, planners) uses. */
  collisions: number;
  /** The robot's working point: the arm's end effector, else the chassis centre. Its travel is
   * the episode's path length. */
  robotPoint: [number, number, number];
  /** The task's subject: the pushed object's centre for push tasks, else `robotPoint`. */
  subject: [number, number, number];
}

export interface ResetResult {
  obs: Observation;
  info: StepInfo;
}

export interface StepResult {
  obs: Observation;
  /** Dense shaped reward: progress towards the goal minus small costs; documented per task in sim/reward.ts. */
  reward: number;
  /** The task ended: success or failure. */
  terminated: boolean;
  /** An outside limit ended the episode (the time limit). */
  truncated: boolean;
  info: StepInfo;
}

/** Action: a vector of `actionDim` numbers, each in [-1, 1] (values outside are clipped, and counted). */
export type Action = number[];

/** Static description of the robot's action space for planners. */
export interface ActionSpace {
  dim: number;
  /** Name of each component, e.g. ["left", "right"]. */
  names: string[];
  low: number[];
  high: number[];
}

/** A static scene description: everything the viewer needs to draw, sent once per episode. */
export interface StaticScene {
  scenarioId: string;
  arena: { size: [number, number]; color: string };
  /** Bodies in the order of their transforms in every frame. */
  bodies: SceneBody[];
  goal: ResolvedGoal;
}

export interface SceneBody {
  id: string;
  kind: 'robot' | 'robot_part' | 'movable' | 'obstacle' | 'moving' | 'slope' | 'step' | 'wall' | 'spawned';
  /** True when the body moves (its transform is in every frame); static bodies keep `pose`. */
  dynamic: boolean;
  shapes: SceneShape[];
  /** Initial pose [x, y, z, qx, qy, qz, qw]. */
  pose: [number, number, number, number, number, number, number];
}

export interface SceneShape {
  shape: 'box' | 'cylinder' | 'sphere' | 'capsule';
  /** box: full extents [x, y, z]; cylinder: [radius, height, 0] upright along local z;
   * sphere: [radius, 0, 0]; capsule: [radius, halfHeight, 0] along local z. */
  dims: [number, number, number];
  /** Offset of the shape in its body's frame: [x, y, z, qx, qy, qz, qw]. */
  offset: [number, number, number, number, number, number, number];
  color: string;
}

/** An opaque saved state of a running environment (the Rapier snapshot plus episode bookkeeping). */
export interface EnvSnapshot {
  readonly bytes: Uint8Array;
  readonly t: number;
  readonly step: number;
}

/**
 * A running simulated task. Owns one Rapier world; call `dispose()` when done.
 *
 * Determinism: for the same scenario, seed and action sequence, every observation and every
 * frame of transforms is bit-identical (with the deterministic flavour, across machines).
 */
export interface Environment {
  readonly scenario: Scenario;
  readonly actionSpace: ActionSpace;
  readonly flavor: PhysicsFlavor;
  /** Starts a new episode. The seed fixes the layout and perturbation streams. */
  reset(opts: { seed: number }): ResetResult;
  /** Applies `action` for one control period (several physics steps). */
  step(action: Action): StepResult;
  /** Packed transforms [x, y, z, qx, qy, qz, qw] of every dynamic body, in `staticScene().bodies` order. */
  transforms(): Float32Array;
  /** The scene for the viewer and the recorder. */
  staticScene(): StaticScene;
  /** Applies an impulse now (teaching mode, scripted shoves); recorded as a perturbation event. */
  shove(target: string, impulse: [number, number, number], source: 'scenario' | 'user'): void;
  /** Saves the full state, for rollouts of the true physics. */
  snapshot(): EnvSnapshot;
  /** A new, independent environment at the snapshot's state. The caller disposes it. */
  fork(snap?: EnvSnapshot): Environment;
  /** Returns this environment to a snapshot taken from it (or from a fork of it). */
  restore(snap: EnvSnapshot): void;
  dispose(): void;
}
