/**
 * The simulated environment: `createEnv(scenario)` → an `Environment` (contract in sim/types.ts).
 *
 * One control step = `controlPeriod / physicsDt` fixed physics steps. Per physics step the inner
 * loop only: applies scheduled perturbations that are due, moves kinematic obstacles to their
 * next path position, runs the robot's per-step controller (pusher), and steps Rapier. Everything
 * else (collision events, observation, predicates, reward) happens once per control step.
 *
 * State that is not inside the Rapier snapshot (time, step counters, perturbation cursor,
 * controller targets, spawned bodies, reward bookkeeping) lives in `Bookkeeping` and travels with
 * every `EnvSnapshot`.
 *
 * Teaching mode: `spawnObstacle(shape, position)` adds a dynamic body; it is appended to
 * `staticScene().bodies` (kind `spawned`) and to every later `transforms()` frame, and
 * `sceneVersion` increases so viewers know to fetch the scene again.
 */
import type { Collider, EventQueue, Ray, RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { UserError } from '../core/errors.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { clamp, datan2 } from './detmath.ts';
import { resolveLayout, type ResolvedLayout } from './layout.ts';
import { DEFAULT_LIDAR_RAYS, LIDAR_MAX_RANGE, LidarSensor, type LidarTarget } from './lidar.ts';
import { flatten, obsLength, readLidar } from './observation.ts';
import { loadRapier, type Rapier } from './physics.ts';
import { checkFailure, frozenFailure, goalDistance, isSuccess, nextSettleCount, subjectSpeed, type Failure } from './predicates.ts';
import { reward } from './reward.ts';
import { ARM_ACTIONS } from './robots/arm.ts';
import { DIFFDRIVE_ACTIONS } from './robots/diffdrive.ts';
import { PUSHER_ACTIONS } from './robots/pusher.ts';
import { headingOf, isRobotPart, type Robot } from './robots/Robot.ts';
import type {
  Action,
  ActionSpace,
  EnvSnapshot,
  Environment,
  FailureReason,
  LidarMethod,
  Observation,
  PhysicsFlavor,
  ResetResult,
  SceneObject,
  SimEvent,
  StaticScene,
  StepInfo,
  StepResult,
} from './types.ts';
import { LIDAR_METHODS, OBSERVATION_TIERS, type ObservationTier } from './types.ts';
import { buildSpawned, copySpawned, type Spawned, type SpawnShape } from './spawn.ts';
import { buildWorld, DEFAULT_COLORS, type BuiltWorld } from './world.ts';

export type { SpawnShape };

export interface EnvOptions {
  physics?: PhysicsFlavor;
  /** Lidar rays for ground robots (default 16); changes the flat observation length. */
  lidarRays?: number;
  /** How lidar ranges are computed: `analytic` (default) or `rapier` ray casts (see sim/lidar.ts). */
  lidar?: LidarMethod;
  /** Which objects observations list: all (`state`, default) or those the robot senses (`sensor`). */
  observation?: ObservationTier;
}

/** Episode state outside the Rapier world. */
interface Bookkeeping {
  physStep: number;
  step: number;
  pertIdx: number;
  prevDistance: number;
  prevApproach: number;
  /** The task's subject (robot, object or end effector) at the end of the previous step. */
  prevSubject: [number, number, number];
  /** Control steps in a row the subject has been within tolerance and settled. */
  settleCount: number;
  succeeded: boolean;
  failed: FailureReason | null;
  clipped: number;
  controller: number[];
  spawned: Spawned[];
  spawnCounter: number;
}

class Snapshot implements EnvSnapshot {
  constructor(
    readonly bytes: Uint8Array,
    readonly t: number,
    readonly step: number,
    /** Internal: layout and bookkeeping (never mutated after capture). */
    readonly layout: ResolvedLayout,
    readonly book: Readonly<Bookkeeping>,
  ) {}
}

/** Live Rapier worlds and event queues owned by environments in this process (for leak tests). */
const native = { worlds: 0, queues: 0 };

export function liveNativeObjects(): { worlds: number; queues: number } {
  return { ...native };
}

function frozenSpace(s: ActionSpace): ActionSpace {
  return Object.freeze({ dim: s.dim, names: Object.freeze([...s.names]), low: Object.freeze([...s.low]), high: Object.freeze([...s.high]) }) as ActionSpace;
}

const ACTION_SPACES: Record<Scenario['robot']['type'], ActionSpace> = {
  diffdrive: frozenSpace(DIFFDRIVE_ACTIONS),
  pusher: frozenSpace(PUSHER_ACTIONS),
  arm: frozenSpace(ARM_ACTIONS),
};


/** Placeholder event list between steps (never written: `drain.events` is set before draining). */
const NO_EVENTS: SimEvent[] = [];

/** Reads a body's pose and velocity into its observation entry and its lidar target. */
function refreshEntry(w: World, o: SceneObject, handle: number, target: LidarTarget): void {
  const body = w.getRigidBody(handle);
  const p = body.translation();
  const q = body.rotation();
  o.x = p.x;
  o.y = p.y;
  o.z = p.z;
  o.yaw = headingOf(q, datan2);
  // Kinematic bodies report the velocity of their last scripted move.
  const v = body.linvel();
  o.vx = v.x;
  o.vy = v.y;
  const tp = target.pose;
  tp[0] = p.x;
  tp[1] = p.y;
  tp[2] = p.z;
  tp[3] = q.x;
  tp[4] = q.y;
  tp[5] = q.z;
  tp[6] = q.w;
}

export class SimEnv implements Environment {
  readonly actionSpace: ActionSpace;
  /** Increases whenever `staticScene()` changes: every reset, spawn, and restore that adds or
   * removes spawned bodies. Viewers compare it to know when to fetch the scene again. */
  sceneVersion = 0;
  private readonly substeps: number;
  private readonly dt: number;
  private readonly lidar: LidarSensor | null;
  private readonly flatLength: number;
  private layout: ResolvedLayout | null = null;
  private built: BuiltWorld | null = null;
  private queue: EventQueue | null = null;
  private dynamic: RigidBody[] = [];
  /** Scene ids of `dynamic`, in the same order. */
  private dynamicIds: string[] = [];
  private movingBodies: RigidBody[] = [];
  private idToHandle = new Map<string, number>();
  private book!: Bookkeeping;
  private pending: SimEvent[] = [];
  private scene: StaticScene | null = null;
  private readonly clippedAction: Float64Array;
  private readonly p2: [number, number] = [0, 0];
  private readonly kin = { x: 0, y: 0, z: 0 };
  private disposed = false;
  /** Frozen observation entries of static objects, by index in `built.objects` (reset per install). */
  private frozenStatics: SceneObject[] = [];
  /** The reusable Rapier ray of `lidar: 'rapier'`. */
  private lidarRay: Ray | null = null;
  /** Scratch list of lidar targets, refilled every observation. */
  private readonly targets: LidarTarget[] = [];
  /** What `onCollisionEvent` reads and fills while a step drains the event queue. */
  private readonly drain: { events: SimEvent[]; t: number; collisions: number; pushId: string | undefined } = { events: NO_EVENTS, t: 0, collisions: 0, pushId: undefined };
  /** Ids of the ground the robot drives on: the floor, slopes and steps (see `onCollisionEvent`). */
  private terrain = new Set<string>(['floor']);
  /** The event-queue callback, made once (not a closure per step). Robot contacts with anything
   * but terrain (floor, slopes, steps: the ground it drives on) become events; touching the
   * object being pushed is an event but not a collision. */
  private readonly onCollisionEvent = (h1: number, h2: number, started: boolean): void => {
    const ids = this.built!.colliderIds;
    let a1 = ids.get(h1);
    let a2 = ids.get(h2);
    if (a1 === undefined || a2 === undefined) return;
    const r1 = isRobotPart(a1);
    const r2 = isRobotPart(a2);
    if (!r1 && !r2) return;
    if (!r1) [a1, a2] = [a2, a1];
    if (this.terrain.has(a2)) return;
    const d = this.drain;
    if (started) {
      d.events.push({ type: 'collision', t: d.t, a: a1, b: a2 });
      // The robot touching itself is not a collision (jointed bodies do not report contacts, but
      // nothing else should have to know that).
      if (a2 !== d.pushId && !r2) d.collisions++;
    } else {
      d.events.push({ type: 'contact_end', t: d.t, a: a1, b: a2 });
    }
  };

  constructor(
    private readonly R: Rapier,
    readonly scenario: Scenario,
    readonly flavor: PhysicsFlavor,
    private readonly lidarRays: number,
    readonly lidarMethod: LidarMethod = 'analytic',
    readonly observationTier: ObservationTier = 'state',
  ) {
    this.dt = scenario.physicsDt;
    this.substeps = Math.round(scenario.controlPeriod / scenario.physicsDt);
    if (this.substeps < 1 || Math.abs(this.substeps * this.dt - scenario.controlPeriod) > 1e-9 * Math.max(1, scenario.controlPeriod)) {
      throw new UserError(
        'E_SCENARIO_TIMING',
        `scenario "${scenario.id}": controlPeriod ${scenario.controlPeriod} s is not a whole number of physicsDt ${scenario.physicsDt} s steps; make it a multiple`,
      );
    }
    const type = scenario.robot.type;
    this.actionSpace = ACTION_SPACES[type];
    this.clippedAction = new Float64Array(this.actionSpace.dim);
    this.lidar = type === 'arm' ? null : new LidarSensor(lidarRays);
    this.flatLength = obsLength(type, lidarRays);
    this.validateTargets();
  }

  // ---------------------------------------------------------------- episode

  reset({ seed }: { seed: number }): ResetResult {
    this.assertLive();
    if (!Number.isInteger(seed) || seed < 0) throw new UserError('E_SEED', `seed must be a non-negative integer, got ${seed}`);
    this.install(resolveLayout(this.scenario, seed));
    const robot = this.built!.robot.state();
    const push = this.pushObject();
    const d = goalDistance(this.layout!.goal, robot, push);
    this.book.prevDistance = d;
    this.book.prevApproach = push ? dist2(push.x - robot.pose.x, push.y - robot.pose.y) : NaN;
    this.book.prevSubject = this.points(robot, push).subject;
    const obs = this.observe(robot);
    return { obs, info: { t: 0, step: 0, events: [], success: false, failure: null, goalDistance: d, collisions: 0, ...this.points(robot, push) } };
  }

  step(action: Action): StepResult {
    this.assertLive();
    const b = this.built;
    if (!b) throw new Error('step() before reset()');
    const book = this.book;
    const a = this.clippedAction;
    // Missing components count as clipped (to 0), extra ones as clipped away.
    if (action.length !== a.length) book.clipped += Math.abs(action.length - a.length);
    for (let i = 0; i < a.length; i++) {
      const v = action[i] ?? 0;
      const c = Number.isFinite(v) ? clamp(v, -1, 1) : 0;
      if (c !== v) book.clipped++;
      a[i] = c;
    }
    const robot = b.robot;
    robot.applyAction(a);

    const events: SimEvent[] = this.pending;
    this.pending = [];
    const world = b.world;
    const perts = this.layout!.perturbations;
    const moving = b.moving;
    const dt = this.dt;
    for (let i = 0; i < this.substeps; i++) {
      const t = book.physStep * dt;
      // Scheduled shoves that are due (times are sorted).
      while (book.pertIdx < perts.length && perts[book.pertIdx].at <= t + 1e-9) {
        const p = perts[book.pertIdx++];
        this.applyImpulse(p.target, p.impulse);
        events.push({ type: 'perturbation', t, target: p.target, impulse: [...p.impulse], source: 'scenario' });
      }
      // Kinematic obstacles: where they must be at the end of this step.
      for (let m = 0; m < moving.length; m++) {
        const mo = moving[m];
        mo.path!.at(mo.phase! + mo.speed! * (t + dt), this.p2);
        this.kin.x = this.p2[0];
        this.kin.y = this.p2[1];
        this.kin.z = mo.obj.z;
        this.movingBodies[m].setNextKinematicTranslation(this.kin);
      }
      robot.beforePhysicsStep?.(dt);
      world.step(this.queue!);
      book.physStep++;
    }
    book.step++;
    const tNow = book.physStep * dt;

    // Contacts of the robot with anything but the floor (see `onCollisionEvent`).
    const drain = this.drain;
    drain.events = events;
    drain.t = tNow;
    drain.collisions = 0;
    drain.pushId = this.layout!.goal.type === 'push' ? this.layout!.goal.object : undefined;
    this.queue!.drainCollisionEvents(this.onCollisionEvent);
    const collisions = drain.collisions;
    drain.events = NO_EVENTS;

    const state = robot.state();
    const obs = this.observe(state);
    const push = this.pushObject();
    const goal = this.layout!.goal;
    const d = goalDistance(goal, state, push);
    const approach = push ? dist2(push.x - state.pose.x, push.y - state.pose.y) : NaN;
    const fail = checkFailure(this.scenario, state) ?? this.frozenBody();
    // Success is a state: within tolerance and settled for the whole dwell (sim/predicates.ts).
    const pts = this.points(state, push);
    book.settleCount = nextSettleCount(book.settleCount, goal, d, subjectSpeed(goal, book.prevSubject, pts.subject, this.scenario.controlPeriod));
    book.prevSubject = pts.subject;
    const success = !fail && isSuccess(book.settleCount, this.scenario.controlPeriod);
    const newSuccess = success && !book.succeeded;
    const newFailure = fail !== null && book.failed === null;
    if (newFailure) {
      book.failed = fail.reason;
      events.push({ type: 'failure', t: tNow, reason: fail.reason, detail: fail.detail });
    }
    if (newSuccess) {
      book.succeeded = true;
      events.push({ type: 'success', t: tNow });
    }
    const r = reward({
      prevDistance: book.prevDistance,
      distance: d,
      prevApproach: book.prevApproach,
      approach,
      success: newSuccess,
      failure: newFailure,
      collisions,
      action: a,
    });
    book.prevDistance = d;
    book.prevApproach = approach;
    const terminated = success || fail !== null;
    const truncated = !terminated && tNow >= this.scenario.timeLimit - 1e-9;
    const info: StepInfo = { t: tNow, step: book.step, events, success, failure: fail ? fail.reason : null, goalDistance: d, collisions, ...pts };
    return { obs, reward: r, terminated, truncated, info };
  }

  /** Actions clipped (components outside [-1, 1] or non-finite) since reset. */
  get clippedCount(): number {
    return this.book?.clipped ?? 0;
  }

  /** Simulated seconds since reset. */
  get time(): number {
    return this.book ? this.book.physStep * this.dt : 0;
  }

  // ---------------------------------------------------------------- frames and scene

  transforms(): Float32Array {
    const out = new Float32Array(this.dynamic.length * 7);
    for (let i = 0, k = 0; i < this.dynamic.length; i++) {
      const body = this.dynamic[i];
      const p = body.translation();
      const q = body.rotation();
      out[k++] = p.x;
      out[k++] = p.y;
      out[k++] = p.z;
      out[k++] = q.x;
      out[k++] = q.y;
      out[k++] = q.z;
      out[k++] = q.w;
    }
    return out;
  }

  staticScene(): StaticScene {
    if (!this.built || !this.layout) throw new Error('staticScene() before reset()');
    if (!this.scene) {
      this.scene = {
        scenarioId: this.scenario.id,
        arena: { size: [...this.scenario.arena.size], color: DEFAULT_COLORS.arena },
        bodies: [...this.built.bodies, ...this.book.spawned.map((s) => s.body)],
        goal: this.layout.goal,
      };
    }
    return this.scene;
  }

  // ---------------------------------------------------------------- interventions

  shove(target: string, impulse: [number, number, number], source: 'scenario' | 'user'): void {
    this.assertLive();
    if (!this.built) throw new Error('shove() before reset()');
    if (!impulse.every(Number.isFinite)) throw new UserError('E_SHOVE', `shove impulse must be three finite numbers, got ${JSON.stringify(impulse)}`);
    if (!this.shoveable(target)) {
      throw new UserError('E_SHOVE_TARGET', `cannot shove "${target}": targets are "robot" or a movable object (${[...this.idToHandle.keys()].filter((k) => this.shoveable(k)).join(', ')})`);
    }
    this.applyImpulse(target, impulse);
    this.pending.push({ type: 'perturbation', t: this.time, target, impulse: [...impulse], source });
  }

  /** Drops a new dynamic obstacle (teaching mode) at `position` ([x, y] on the floor, or [x, y, z]
   * for its centre). Returns its id (`spawned-<n>`). Appears in later transforms; see the file header. */
  spawnObstacle(shape: SpawnShape, position: [number, number] | [number, number, number]): string {
    this.assertLive();
    const b = this.built;
    if (!b) throw new Error('spawnObstacle() before reset()');
    const sp = buildSpawned(this.R, b.world, b.colliderIds, `spawned-${this.book.spawnCounter + 1}`, shape, position);
    const id = sp.id;
    this.book.spawnCounter++;
    this.book.spawned = [...this.book.spawned, sp];
    this.rebindBodies();
    this.sceneVersion++;
    this.pending.push({ type: 'spawn', t: this.time, id, source: 'user' });
    return id;
  }

  /**
   * Benchmark baseline: steps this world's Rapier pipeline `n` times with nothing else (no
   * controllers, obstacles' paths, perturbations, events, observations or bookkeeping), so
   * `planarena bench` can compare environment steps/s with raw Rapier steps/s on the same scene.
   * It leaves the episode inconsistent: call `reset` afterwards.
   */
  benchRawSteps(n: number): void {
    const b = this.built;
    if (!b) throw new Error('benchRawSteps() before reset()');
    const w = b.world;
    const q = this.queue!;
    for (let i = 0; i < n; i++) w.step(q);
    q.clear();
  }

  /** Physics steps per control step (`controlPeriod / physicsDt`). */
  get physicsStepsPerControl(): number {
    return this.substeps;
  }

  // ---------------------------------------------------------------- snapshots

  snapshot(): EnvSnapshot {
    this.assertLive();
    if (!this.built || !this.layout) throw new Error('snapshot() before reset()');
    const book: Bookkeeping = { ...this.book, controller: this.built.robot.saveController(), spawned: this.book.spawned.map(copySpawned) };
    return new Snapshot(this.built.world.takeSnapshot(), this.time, this.book.step, this.layout, Object.freeze(book));
  }

  fork(snap?: EnvSnapshot): SimEnv {
    this.assertLive();
    const s = (snap ?? this.snapshot()) as Snapshot;
    const env = new SimEnv(this.R, this.scenario, this.flavor, this.lidarRays, this.lidarMethod, this.observationTier);
    env.restore(s);
    return env;
  }

  restore(snap: EnvSnapshot): void {
    this.assertLive();
    if (!(snap instanceof Snapshot)) throw new Error('restore(): not a snapshot of a planarena environment');
    if (snap.layout.scenarioId !== this.scenario.id) throw new Error(`restore(): snapshot of scenario "${snap.layout.scenarioId}" given to "${this.scenario.id}"`);
    // The handle tables come from building the same layout (deterministic insertion order gives
    // the same handles); the Rapier state then comes from the snapshot.
    if (this.layout !== snap.layout || !this.built) this.install(snap.layout);
    const built = this.built!;
    const world = this.R.World.restoreSnapshot(snap.bytes);
    native.worlds++;
    world.timestep = this.dt;
    built.world.free();
    native.worlds--;
    built.world = world;
    // The queue belongs to no world: emptying it is all a restore needs.
    this.queue!.clear();
    const book = snap.book;
    const spawnedChanged = book.spawned.length !== this.book.spawned.length || book.spawned.some((s, i) => s.id !== this.book.spawned[i].id);
    this.book = { ...book, controller: [...book.controller], spawned: book.spawned.map(copySpawned) };
    for (const s of this.book.spawned) built.colliderIds.set(s.colliderHandle, s.id);
    built.robot.bind(world);
    built.robot.loadController(book.controller);
    this.pending = [];
    this.rebindBodies();
    if (spawnedChanged) this.sceneVersion++;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.freeNative();
  }

  // ---------------------------------------------------------------- internals

  /** Builds a fresh world for `layout`, freeing the previous one. */
  private install(layout: ResolvedLayout): void {
    this.freeNative();
    this.layout = layout;
    this.built = buildWorld(this.R, this.scenario, layout);
    native.worlds++;
    this.frozenStatics = [];
    this.queue = new this.R.EventQueue(false);
    native.queues++;
    this.book = { physStep: 0, step: 0, pertIdx: 0, prevDistance: 0, prevApproach: NaN, prevSubject: [0, 0, 0], settleCount: 0, succeeded: false, failed: null, clipped: 0, controller: [], spawned: [], spawnCounter: 0 };
    this.pending = [];
    this.terrain = new Set(['floor', ...this.built.objects.filter((o) => o.obj.kind === 'slope' || o.obj.kind === 'step').map((o) => o.obj.id)]);
    this.sceneVersion++;
    this.rebindBodies();
  }

  private freeNative(): void {
    if (this.built) {
      this.built.world.free();
      native.worlds--;
      this.built = null;
    }
    if (this.queue) {
      this.queue.free();
      native.queues--;
      this.queue = null;
    }
  }

  /** Rapier switches off a body whose state became non-finite (an impulse of 1e300, say): it then
   * stands still with finite numbers, which no state check can tell from rest. */
  private frozenBody(): Failure | null {
    const d = this.dynamic;
    for (let i = 0; i < d.length; i++) if (!d[i].isEnabled()) return frozenFailure(this.dynamicIds[i]);
    return null;
  }

  /** Refreshes the JS wrappers of every tracked body (after build, restore or spawn). */
  private rebindBodies(): void {
    const b = this.built!;
    const w = b.world;
    this.idToHandle.clear();
    this.dynamic = [];
    this.dynamicIds = [];
    for (const body of b.bodies) {
      if (!body.dynamic) continue;
      this.dynamic.push(w.getRigidBody(this.handleOf(body.id)));
      this.dynamicIds.push(body.id);
    }
    for (const s of this.book.spawned) {
      this.dynamic.push(w.getRigidBody(s.handle));
      this.dynamicIds.push(s.id);
    }
    this.movingBodies = b.moving.map((m) => w.getRigidBody(m.handle));
    for (const o of b.objects) this.idToHandle.set(o.obj.id, o.handle);
    for (const p of b.robot.parts) this.idToHandle.set(p.id, p.handle);
    for (const s of this.book.spawned) this.idToHandle.set(s.id, s.handle);
    this.scene = null;
  }

  private handleOf(id: string): number {
    const o = this.built!.objects.find((x) => x.obj.id === id);
    if (o) return o.handle;
    const p = this.built!.robot.parts.find((x) => x.id === id);
    if (p) return p.handle;
    throw new Error(`no body "${id}"`);
  }

  private shoveable(id: string): boolean {
    const h = this.idToHandle.get(id);
    if (h === undefined) return false;
    return this.built!.world.getRigidBody(h).isDynamic();
  }

  private applyImpulse(target: string, impulse: readonly number[]): void {
    const h = this.idToHandle.get(target);
    if (h === undefined) return;
    this.built!.world.getRigidBody(h).applyImpulse({ x: impulse[0], y: impulse[1], z: impulse[2] }, true);
  }

  /** Refreshes dynamic objects' entries and builds the observation. */
  private observe(robot: ReturnType<Robot['state']>): Observation {
    const b = this.built!;
    const w = b.world;
    const objects: SceneObject[] = [];
    const targets = this.targets;
    targets.length = 0;
    for (let i = 0; i < b.objects.length; i++) {
      const t = b.objects[i];
      if (t.dynamic) {
        refreshEntry(w, t.obj, t.handle, t.target);
        objects.push({ ...t.obj, size: [t.obj.size[0], t.obj.size[1], t.obj.size[2]] });
      } else {
        // Static entries never change: one frozen copy per episode, shared by every observation.
        objects.push((this.frozenStatics[i] ??= Object.freeze({ ...t.obj, size: Object.freeze([...t.obj.size]) as [number, number, number] })));
      }
      targets.push(t.target);
    }
    for (const s of this.book.spawned) {
      refreshEntry(w, s.obj, s.handle, s.target);
      objects.push({ ...s.obj });
      targets.push(s.target);
    }
    const lidar = readLidar(this.lidar, b.robot, robot, targets, this.lidarMethod === 'rapier' && this.lidar ? this.rapierLidar() : undefined);
    const goal = this.layout!.goal;
    if (this.observationTier === 'sensor') sensed(objects, robot, goal);
    let push: SceneObject | undefined;
    if (goal.type === 'push') for (let i = 0; i < objects.length && !push; i++) if (objects[i].id === goal.object) push = objects[i];
    const flat = flatten({ robot, goal, lidar, objects, pushObject: push }, this.scenario.robot.type, this.flatLength);
    return { t: this.time, step: this.book.step, robot, objects, goal, lidar, flat };
  }

  /** Scene colliders (not the robot's, not the floor) and a reusable ray, for `lidar: 'rapier'`. */
  private rapierLidar(): { colliders: Collider[]; ray: Ray } {
    const w = this.built!.world;
    const colliders: Collider[] = [];
    for (const [handle, id] of this.built!.colliderIds) {
      if (id === 'floor' || isRobotPart(id)) continue;
      colliders.push(w.getCollider(handle));
    }
    this.lidarRay ??= new this.R.Ray({ x: 0, y: 0, z: 0 }, { x: 1, y: 0, z: 0 });
    return { colliders, ray: this.lidarRay };
  }

  /** The robot's working point and the task's subject (see `StepInfo`). */
  private points(robot: ReturnType<Robot['state']>, push: SceneObject | undefined): Pick<StepInfo, 'robotPoint' | 'subject'> {
    const ee = robot.ee;
    const robotPoint: [number, number, number] = robot.type === 'arm' && ee ? [ee.x, ee.y, ee.z] : [robot.pose.x, robot.pose.y, robot.pose.z];
    return { robotPoint, subject: push ? [push.x, push.y, push.z] : robotPoint };
  }

  private pushObject(): SceneObject | undefined {
    const goal = this.layout!.goal;
    if (goal.type !== 'push') return undefined;
    const objects = this.built!.objects;
    for (let i = 0; i < objects.length; i++) if (objects[i].obj.id === goal.object) return objects[i].obj;
    return undefined;
  }

  private validateTargets(): void {
    const s = this.scenario;
    const movable = new Set(s.objects.map((o) => o.id));
    s.perturbations.forEach((p, i) => {
      if (p.target !== 'robot' && !movable.has(p.target)) {
        throw new UserError('E_SCENARIO_TARGET', `scenario "${s.id}": perturbations[${i}].target "${p.target}" is neither "robot" nor a movable object id (${[...movable].join(', ') || 'none'})`);
      }
    });
    if (s.goal.type === 'push' && !movable.has(s.goal.object)) {
      throw new UserError('E_SCENARIO_TARGET', `scenario "${s.id}": goal.object "${s.goal.object}" is not a movable object id (${[...movable].join(', ') || 'none'})`);
    }
    if (s.goal.type === 'ee_reach' && s.robot.type !== 'arm') throw new UserError('E_SCENARIO_GOAL', `scenario "${s.id}": goal type ee_reach needs robot.type "arm"`);
    if (s.robot.type === 'arm' && s.robot.joints && s.robot.joints.length !== 3) throw new UserError('E_SCENARIO_ROBOT', `scenario "${s.id}": robot.joints must list 3 angles (yaw, shoulder, elbow) in degrees`);
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('environment used after dispose()');
  }
}

/** How far the `sensor` observation tier sees: the lidar's range. */
export const SENSOR_RANGE = LIDAR_MAX_RANGE;

/**
 * The `sensor` tier: keeps, in place and in order, the objects whose footprint comes within
 * SENSOR_RANGE of the robot's working point, and the object a push task names (the instruction
 * names it, so the robot is told what it looks like and tracks it).
 */
function sensed(objects: SceneObject[], robot: ReturnType<Robot['state']>, goal: { type: string; object?: string }): void {
  const p = robot.type === 'arm' && robot.ee ? robot.ee : robot.pose;
  let k = 0;
  for (const o of objects) {
    const reach = 0.5 * Math.sqrt(o.size[0] * o.size[0] + o.size[1] * o.size[1]);
    const d = dist2(o.x - p.x, o.y - p.y) - reach;
    if (d <= SENSOR_RANGE || (goal.type === 'push' && o.id === goal.object)) objects[k++] = o;
  }
  objects.length = k;
}

/** Euclidean length; `Math.hypot` is not guaranteed correctly rounded, `Math.sqrt` is. */
function dist2(dx: number, dy: number): number {
  return Math.sqrt(dx * dx + dy * dy);
}

/** Creates an environment for `scenario`. Call `reset({ seed })` before stepping, `dispose()` at the end. */
export async function createEnv(scenario: Scenario, opts: EnvOptions = {}): Promise<SimEnv> {
  const flavor = opts.physics ?? 'deterministic';
  if (flavor !== 'deterministic' && flavor !== 'fast') throw new UserError('E_PHYSICS', `unknown physics flavour "${flavor}": use "deterministic" or "fast"`);
  const rays = opts.lidarRays ?? DEFAULT_LIDAR_RAYS;
  if (!Number.isInteger(rays) || rays < 1 || rays > 360) throw new UserError('E_LIDAR_RAYS', `lidar rays must be an integer in 1..360, got ${rays}`);
  const lidar = opts.lidar ?? 'analytic';
  if (!LIDAR_METHODS.includes(lidar)) throw new UserError('E_LIDAR', `unknown lidar method "${lidar}": use ${LIDAR_METHODS.map((m) => `"${m}"`).join(' or ')}`);
  const observation = opts.observation ?? 'state';
  if (!OBSERVATION_TIERS.includes(observation)) throw new UserError('E_OBSERVATION', `unknown observation tier "${observation}": use ${OBSERVATION_TIERS.map((m) => `"${m}"`).join(' or ')}`);
  const R = await loadRapier(flavor);
  return new SimEnv(R, scenario, flavor, rays, lidar, observation);
}
