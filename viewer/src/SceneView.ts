/**
 * The three.js content of one episode's world: the arena, every body (one `InstancedMesh` per
 * shape type, one matrix per shape), the goal marker, trails of the robot and of the pushed
 * object, and the planner's imagined futures. `update` sets it to any time between two frames,
 * interpolating positions linearly and rotations by slerp.
 *
 * World frame z up, as in the simulator; cylinders and capsules stand along local z.
 */
import * as THREE from 'three';
import type { SceneBody, StaticScene } from '../../sim/types.ts';
import type { ImaginedRollout } from '../protocol.ts';
import type { FrameRef } from './Episode.ts';

/** Height (m) above the pushed object's centre at which its imagined paths are drawn (above a
 * 0.3 m crate's lid). */
const OBJECT_PATH_LIFT = 0.2;

type InstType = 'box' | 'cylinder' | 'sphere';

interface ShapeInstance {
  type: InstType;
  /** The instance matrix buffer of its mesh, set when the mesh is built. */
  array: Float32Array;
  index: number;
  /** Index of the body among dynamic bodies (its slot in a frame), or -1 for static bodies. */
  dyn: number;
  body: SceneBody;
  color: string;
  /** Offset and scale of the shape in its body's frame. */
  local: THREE.Matrix4;
}

const TRAIL_CAPACITY = 20000;

const UNIT_GEOMETRY: Record<InstType, () => THREE.BufferGeometry> = {
  box: () => new THREE.BoxGeometry(1, 1, 1),
  // three's cylinder stands along y; the simulator's along z.
  cylinder: () => new THREE.CylinderGeometry(1, 1, 1, 24).rotateX(Math.PI / 2),
  sphere: () => new THREE.SphereGeometry(1, 20, 14),
};

// Scratch objects reused every frame: no allocation in the update path.
const _p = new THREE.Vector3();
const _p2 = new THREE.Vector3();
const _q = new THREE.Quaternion();
const _q2 = new THREE.Quaternion();
const _s = new THREE.Vector3(1, 1, 1);
const _m = new THREE.Matrix4();
const _world = new THREE.Matrix4();

export class SceneView {
  readonly root = new THREE.Scene();
  private readonly content = new THREE.Group();
  private meshes = new Map<InstType, THREE.InstancedMesh>();
  private instances: ShapeInstance[] = [];
  /** Capsules are rare: one plain mesh each, as the cap shape does not scale. */
  private capsules: { mesh: THREE.Mesh; dyn: number; local: THREE.Matrix4; body: SceneBody }[] = [];
  private bodyMatrices: THREE.Matrix4[] = [];
  private dynCount = 0;
  private readonly trails: { line: THREE.Line; positions: Float32Array; dyn: number; count: number }[] = [];
  private imagined: THREE.LineSegments | null = null;
  private imaginedKey: unknown = null;
  /** Segments of imagined object paths in `imagined` (diagnostics for tests). */
  private objectSegments = 0;
  /** The chosen plan's imagined path (white) and the path the robot really took (magenta). */
  private planCheck: THREE.Group | null = null;
  private planCheckKey: unknown = null;
  scene: StaticScene | null = null;
  private readonly lights: THREE.Light[];
  /** Dynamic slot of the robot's chassis, for the follow camera. */
  robotSlot = -1;

  constructor() {
    this.root.background = BACKGROUND;
    const sun = new THREE.DirectionalLight('#ffffff', 1.8);
    sun.position.set(4, -6, 10);
    this.lights = [new THREE.HemisphereLight('#dfe9ff', '#30261c', 1.6), sun];
    for (const l of this.lights) this.root.add(l);
    this.root.add(this.content);
  }

  /**
   * Builds the meshes for a scene. Cheap enough to call again when a body is spawned.
   * A `ghost` view draws only the moving bodies, translucent, with its trail and imagined
   * futures, to be rendered over another episode's view of the same scene (head-to-head overlay).
   */
  setScene(scene: StaticScene, trailColor = '#ffd166', ghost = false): void {
    this.clear();
    this.scene = scene;
    this.root.background = ghost ? null : BACKGROUND;
    for (const light of this.lights) light.visible = !ghost;
    if (!ghost) {
      this.addArena(scene);
      this.addGoal(scene);
    }
    const material = (color?: string) =>
      ghost ? new THREE.MeshBasicMaterial({ color: color ?? '#ffffff', transparent: true, opacity: 0.45, depthWrite: false }) : new THREE.MeshLambertMaterial(color ? { color } : {});

    const perType: Record<InstType, ShapeInstance[]> = { box: [], cylinder: [], sphere: [] };
    let dyn = 0;
    this.bodyMatrices = [];
    for (const body of scene.bodies) {
      const slot = body.dynamic ? dyn++ : -1;
      if (ghost && slot < 0) continue;
      if (slot >= 0 && body.kind === 'robot' && this.robotSlot < 0) this.robotSlot = slot;
      for (const shape of body.shapes) {
        const [ox, oy, oz, qx, qy, qz, qw] = shape.offset;
        const [a, b, c] = shape.dims;
        const local = new THREE.Matrix4();
        if (shape.shape === 'capsule') {
          local.compose(_p.set(ox, oy, oz), _q.set(qx, qy, qz, qw), _s.set(1, 1, 1));
          const geo = new THREE.CapsuleGeometry(a, 2 * b, 6, 16).rotateX(Math.PI / 2);
          const mesh = new THREE.Mesh(geo, material(shape.color));
          mesh.matrixAutoUpdate = false;
          this.capsules.push({ mesh, dyn: slot, local, body });
          this.content.add(mesh);
          continue;
        }
        const scale = shape.shape === 'box' ? _s.set(a, b, c) : shape.shape === 'cylinder' ? _s.set(a, a, b) : _s.set(a, a, a);
        local.compose(_p.set(ox, oy, oz), _q.set(qx, qy, qz, qw), scale);
        perType[shape.shape].push({ type: shape.shape, array: EMPTY, index: perType[shape.shape].length, dyn: slot, body, color: shape.color, local });
      }
    }
    this.dynCount = dyn;
    for (let i = 0; i < dyn; i++) this.bodyMatrices.push(new THREE.Matrix4());

    for (const type of Object.keys(perType) as InstType[]) {
      const list = perType[type];
      if (list.length === 0) continue;
      const mesh = new THREE.InstancedMesh(UNIT_GEOMETRY[type](), material(), list.length);
      mesh.instanceMatrix.setUsage(THREE.DynamicDrawUsage);
      mesh.frustumCulled = false;
      const color = new THREE.Color();
      list.forEach((inst, i) => {
        mesh.setColorAt(i, color.set(inst.color));
        inst.array = mesh.instanceMatrix.array as Float32Array;
      });
      this.meshes.set(type, mesh);
      this.instances.push(...list);
      this.content.add(mesh);
    }
    // Static bodies and the initial pose of dynamic ones come from the scene itself.
    for (const inst of this.instances) this.writeInstance(inst, poseMatrix(inst.body.pose, _world));
    for (const c of this.capsules) c.mesh.matrix.multiplyMatrices(poseMatrix(c.body.pose, _world), c.local);
    for (const m of this.meshes.values()) m.instanceMatrix.needsUpdate = true;

    this.addTrail(this.robotSlot, trailColor);
    const pushed = scene.goal.object ? scene.bodies.filter((b) => b.dynamic).findIndex((b) => b.id === scene.goal.object) : -1;
    if (pushed >= 0) this.addTrail(pushed, '#8ecae6');
  }

  /** Poses every dynamic body between frames `a` and `b` (alpha 0 → a). */
  update(a: FrameRef, b: FrameRef, alpha: number): void {
    const ta = a.transforms;
    const tb = b.transforms;
    const n = Math.min(this.dynCount, Math.floor(ta.length / 7));
    for (let i = 0; i < n; i++) {
      const o = i * 7;
      _p.set(ta[o], ta[o + 1], ta[o + 2]);
      _q.set(ta[o + 3], ta[o + 4], ta[o + 5], ta[o + 6]);
      if (alpha > 0 && tb.length > o + 6) {
        _p2.set(tb[o], tb[o + 1], tb[o + 2]);
        _q2.set(tb[o + 3], tb[o + 4], tb[o + 5], tb[o + 6]);
        _p.lerp(_p2, alpha);
        _q.slerp(_q2, alpha);
      }
      this.bodyMatrices[i].compose(_p, _q, _s.set(1, 1, 1));
    }
    for (const inst of this.instances) {
      if (inst.dyn < 0) continue;
      // A body spawned later than this frame is hidden (scaled to nothing) until it exists.
      if (inst.dyn >= n) this.writeInstance(inst, _m.makeScale(0, 0, 0), true);
      else this.writeInstance(inst, this.bodyMatrices[inst.dyn]);
    }
    for (const c of this.capsules) if (c.dyn >= 0 && c.dyn < n) c.mesh.matrix.multiplyMatrices(this.bodyMatrices[c.dyn], c.local);
    for (const m of this.meshes.values()) m.instanceMatrix.needsUpdate = true;
  }

  /** Trails up to frame `index` (inclusive) of `frames`, plus the interpolated current point. */
  updateTrails(frames: readonly FrameRef[], index: number): void {
    for (const tr of this.trails) {
      const upto = Math.min(index + 1, frames.length, TRAIL_CAPACITY - 1);
      // Append new frames; rewinding just draws fewer of them.
      for (let i = tr.count; i < frames.length && i < TRAIL_CAPACITY - 1; i++) {
        const t = frames[i].transforms;
        const o = tr.dyn * 7;
        if (t.length <= o + 2) break;
        tr.positions[i * 3] = t[o];
        tr.positions[i * 3 + 1] = t[o + 1];
        tr.positions[i * 3 + 2] = 0.02;
        tr.count = i + 1;
      }
      const attr = tr.line.geometry.getAttribute('position') as THREE.BufferAttribute;
      attr.needsUpdate = true;
      tr.line.geometry.setDrawRange(0, Math.min(upto, tr.count));
    }
  }

  /** Draws imagined rollouts: elites bright, other samples faint, each coloured by cost; on push
   * tasks the elites' imagined object paths in orange. */
  setImagined(rollouts: readonly ImaginedRollout[] | null, key: unknown): void {
    if (key === this.imaginedKey) return;
    this.imaginedKey = key;
    if (this.imagined) {
      this.content.remove(this.imagined);
      this.imagined.geometry.dispose();
      (this.imagined.material as THREE.Material).dispose();
      this.imagined = null;
    }
    this.objectSegments = 0;
    if (!rollouts || rollouts.length === 0) return;
    const costs = rollouts.map((r) => r.cost);
    const lo = Math.min(...costs);
    const hi = Math.max(...costs);
    const pos: number[] = [];
    const col: number[] = [];
    const c = new THREE.Color();
    const subjectColour = new THREE.Color('#ff9d2e');
    const segments = (points: readonly (readonly number[])[], colour: THREE.Color, lift = 0) => {
      for (let i = 0; i + 1 < points.length; i++) {
        const p = points[i];
        const q = points[i + 1];
        pos.push(p[0], p[1], Math.max(p[2], 0.03) + lift, q[0], q[1], Math.max(q[2], 0.03) + lift);
        col.push(colour.r, colour.g, colour.b, colour.r, colour.g, colour.b);
      }
    };
    for (const r of rollouts) {
      const k = hi > lo ? (r.cost - lo) / (hi - lo) : 0;
      if (r.elite) c.setRGB(0.2 + 0.3 * k, 1, 0.4);
      else c.setHSL(0.6 - 0.6 * k, 0.7, 0.35);
      segments(r.points, c);
      // Push tasks: where the rollout imagines the pushed object going (elites only, orange),
      // drawn above the object's centre so that the object does not hide the start of it.
      if (r.elite && r.subject) {
        segments(r.subject, subjectColour, OBJECT_PATH_LIFT);
        this.objectSegments += Math.max(0, r.subject.length - 1);
      }
    }
    const geo = new THREE.BufferGeometry();
    geo.setAttribute('position', new THREE.Float32BufferAttribute(pos, 3));
    geo.setAttribute('color', new THREE.Float32BufferAttribute(col, 3));
    this.imagined = new THREE.LineSegments(geo, new THREE.LineBasicMaterial({ vertexColors: true, transparent: true, opacity: 0.85 }));
    this.imagined.frustumCulled = false;
    this.content.add(this.imagined);
  }

  /**
   * Draws the chosen plan as imagined (white) beside where the robot really went over the same
   * steps (magenta, a dot per step). `actual` is computed only when `key` changes.
   */
  setPlanCheck(imagined: readonly (readonly number[])[] | null, actual: () => readonly (readonly number[])[], key: unknown): void {
    if (key === this.planCheckKey) return;
    this.planCheckKey = key;
    if (this.planCheck) {
      this.content.remove(this.planCheck);
      this.planCheck.traverse((o) => {
        const m = o as THREE.Line;
        m.geometry?.dispose();
        (m.material as THREE.Material | undefined)?.dispose();
      });
      this.planCheck = null;
    }
    if (!imagined || imagined.length < 2) return;
    const group = new THREE.Group();
    const lift = (pts: readonly (readonly number[])[], dz: number) => pts.flatMap((p) => [p[0], p[1], Math.max(p[2], 0.03) + dz]);
    const line = (pts: readonly (readonly number[])[], color: string, dz: number) => {
      const geo = new THREE.BufferGeometry();
      geo.setAttribute('position', new THREE.Float32BufferAttribute(lift(pts, dz), 3));
      const l = new THREE.Line(geo, new THREE.LineBasicMaterial({ color, depthTest: false, transparent: true }));
      l.renderOrder = 2;
      l.frustumCulled = false;
      group.add(l);
      const dots = new THREE.Points(geo.clone(), new THREE.PointsMaterial({ color, size: 5, sizeAttenuation: false, depthTest: false, transparent: true }));
      dots.renderOrder = 2;
      dots.frustumCulled = false;
      group.add(dots);
    };
    line(imagined, '#ffffff', 0.01);
    const real = actual();
    if (real.length >= 2) line(real, '#ff3df0', 0.02);
    this.planCheck = group;
    this.content.add(group);
  }

  /** Points of the drawn plan check: [imagined, actual] (diagnostics for tests). */
  planCheckPoints(): [number, number] {
    const lines = (this.planCheck?.children ?? []).filter((o): o is THREE.Line => o instanceof THREE.Line);
    return [lines[0]?.geometry.getAttribute('position').count ?? 0, lines[1]?.geometry.getAttribute('position').count ?? 0];
  }

  imaginedSegments(): number {
    return this.imagined ? this.imagined.geometry.getAttribute('position').count / 2 : 0;
  }

  imaginedObjectSegments(): number {
    return this.imagined ? this.objectSegments : 0;
  }

  /** Position of a dynamic body in the last update, for the follow camera. */
  bodyPosition(slot: number, out: THREE.Vector3): boolean {
    if (slot < 0 || slot >= this.bodyMatrices.length) return false;
    out.setFromMatrixPosition(this.bodyMatrices[slot]);
    return true;
  }

  /** The body under a ray, for teaching mode: its id and whether it moves. */
  pick(ray: THREE.Raycaster): { body: SceneBody; point: THREE.Vector3 } | null {
    const hits = ray.intersectObjects([...this.meshes.values()], false);
    for (const h of hits) {
      const type = [...this.meshes].find(([, m]) => m === h.object)?.[0];
      const inst = this.instances.find((i) => i.type === type && i.index === h.instanceId);
      if (inst) return { body: inst.body, point: h.point };
    }
    return null;
  }

  dispose(): void {
    this.clear();
  }

  private writeInstance(inst: ShapeInstance, body: THREE.Matrix4, raw = false): void {
    if (raw) body.toArray(inst.array, inst.index * 16);
    else multiplyInto(body.elements, inst.local.elements, inst.array, inst.index * 16);
  }

  private addArena(scene: StaticScene): void {
    const [w, h] = scene.arena.size;
    const ground = new THREE.Mesh(new THREE.PlaneGeometry(w, h), new THREE.MeshLambertMaterial({ color: scene.arena.color }));
    ground.position.z = -0.001;
    this.content.add(ground);
    // 1 m grid clipped to the arena (GridHelper is square and would spill past the walls).
    const pts: number[] = [];
    for (let x = Math.ceil(-w / 2); x <= w / 2; x++) pts.push(x, -h / 2, 0.002, x, h / 2, 0.002);
    for (let y = Math.ceil(-h / 2); y <= h / 2; y++) pts.push(-w / 2, y, 0.002, w / 2, y, 0.002);
    const geo = new THREE.BufferGeometry();
    geo.setAttribute('position', new THREE.Float32BufferAttribute(pts, 3));
    const grid = new THREE.LineSegments(geo, new THREE.LineBasicMaterial({ color: '#8a8f96', transparent: true, opacity: 0.5 }));
    this.content.add(grid);
  }

  private addGoal(scene: StaticScene): void {
    const g = scene.goal;
    const [x, y] = g.position;
    const tol = Math.max(g.tolerance, 0.05);
    const mat = new THREE.MeshBasicMaterial({ color: '#2ec4b6', transparent: true, opacity: 0.55, side: THREE.DoubleSide, depthWrite: false });
    if (g.type === 'ee_reach') {
      const s = new THREE.Mesh(new THREE.SphereGeometry(tol, 20, 14), mat);
      s.position.set(x, y, g.position[2] ?? 0);
      this.content.add(s);
      return;
    }
    const ring = new THREE.Mesh(new THREE.RingGeometry(tol * 0.8, tol, 48), mat);
    ring.position.set(x, y, 0.01);
    this.content.add(ring);
    const pole = new THREE.Mesh(new THREE.CylinderGeometry(0.02, 0.02, 0.8, 8).rotateX(Math.PI / 2), mat);
    pole.position.set(x, y, 0.4);
    this.content.add(pole);
  }

  private addTrail(slot: number, color: string): void {
    if (slot < 0) return;
    const positions = new Float32Array(TRAIL_CAPACITY * 3);
    const geo = new THREE.BufferGeometry();
    geo.setAttribute('position', new THREE.BufferAttribute(positions, 3).setUsage(THREE.DynamicDrawUsage));
    geo.setDrawRange(0, 0);
    const line = new THREE.Line(geo, new THREE.LineBasicMaterial({ color }));
    line.frustumCulled = false;
    this.trails.push({ line, positions, dyn: slot, count: 0 });
    this.content.add(line);
  }

  private clear(): void {
    this.content.traverse((o) => {
      const m = o as THREE.Mesh;
      if (m.geometry) m.geometry.dispose();
      const mat = m.material as THREE.Material | THREE.Material[] | undefined;
      if (Array.isArray(mat)) mat.forEach((x) => x.dispose());
      else mat?.dispose();
    });
    this.content.clear();
    this.meshes.clear();
    this.instances = [];
    this.capsules = [];
    this.trails.length = 0;
    this.imagined = null;
    this.imaginedKey = null;
    this.planCheck = null;
    this.planCheckKey = null;
    this.robotSlot = -1;
  }
}

const EMPTY = new Float32Array(0);
const BACKGROUND = new THREE.Color('#10151c');

/** out[o..o+16] = a × b (column-major 4×4 affine matrices), written straight into an instance buffer. */
function multiplyInto(a: ArrayLike<number>, b: ArrayLike<number>, out: Float32Array, o: number): void {
  for (let c = 0; c < 4; c++) {
    const b0 = b[c * 4];
    const b1 = b[c * 4 + 1];
    const b2 = b[c * 4 + 2];
    const b3 = b[c * 4 + 3];
    out[o + c * 4] = a[0] * b0 + a[4] * b1 + a[8] * b2 + a[12] * b3;
    out[o + c * 4 + 1] = a[1] * b0 + a[5] * b1 + a[9] * b2 + a[13] * b3;
    out[o + c * 4 + 2] = a[2] * b0 + a[6] * b1 + a[10] * b2 + a[14] * b3;
    out[o + c * 4 + 3] = a[3] * b0 + a[7] * b1 + a[11] * b2 + a[15] * b3;
  }
}

function poseMatrix(pose: readonly number[], out: THREE.Matrix4): THREE.Matrix4 {
  return out.compose(_p.set(pose[0], pose[1], pose[2]), _q.set(pose[3], pose[4], pose[5], pose[6]), _s.set(1, 1, 1));
}
