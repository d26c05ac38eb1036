/**
 * The 3D stage: one WebGL renderer, one viewport per shown episode (side by side, in a grid for
 * more than two), each with its own orbit camera, all drawn at the same playhead time so that
 * a head-to-head stays synchronised. A click without a drag on a viewport is a pick (teaching
 * mode): the body or ground point under the cursor.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { SceneBody } from '../../sim/types.ts';
import { chosenRollout, outcomeWords, type Episode } from './Episode.ts';
import { SceneView } from './SceneView.ts';

export interface Pick {
  episode: Episode;
  body: SceneBody | null;
  /** Point hit in world coordinates (on the body, or on the ground plane z = 0). */
  point: THREE.Vector3;
  /** Horizontal direction from the camera towards the point, unit length. */
  direction: THREE.Vector3;
}

interface Slot {
  episode: Episode;
  view: SceneView;
  camera: THREE.PerspectiveCamera;
  controls: OrbitControls;
  overlay: HTMLDivElement;
  label: HTMLDivElement;
  /** The planner's intent at the playhead, under the label. */
  intent: HTMLDivElement;
  color: string;
  scenesSeen: number;
  lastFollow: THREE.Vector3 | null;
  /** Keep the arena framed (on resize too) until the user moves this camera. */
  autoFit: boolean;
  fitAspect: number;
  /** Drawn as a ghost over the first view. */
  ghost: boolean;
}

/** Viewport (and timeline lane) colour by position among the shown episodes. */
export const PLANNER_COLORS = ['#ffd166', '#ef476f', '#06d6a0', '#118ab2', '#f78c6b', '#c77dff'];
const _v = new THREE.Vector3();

export class Stage {
  readonly renderer: THREE.WebGLRenderer;
  private slots: Slot[] = [];
  follow = false;
  /** Head-to-head as one view: the first episode drawn whole, the others as translucent ghosts. */
  private ghost = false;
  onPick: ((p: Pick) => void) | null = null;

  constructor(private readonly container: HTMLElement) {
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.domElement.className = 'stage-canvas';
    container.appendChild(this.renderer.domElement);
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
  }

  get episodes(): Episode[] {
    return this.slots.map((s) => s.episode);
  }

  /** Shows these episodes, keeping the cameras of those already shown. */
  setEpisodes(episodes: Episode[]): void {
    const same = episodes.length === this.slots.length && episodes.every((e, i) => this.slots[i].episode === e);
    if (same) return;
    const keep = new Map(this.slots.map((s) => [s.episode, s]));
    for (const s of this.slots) {
      if (!episodes.includes(s.episode)) this.dropSlot(s);
    }
    this.slots = episodes.map((ep, i) => keep.get(ep) ?? this.makeSlot(ep, PLANNER_COLORS[i % PLANNER_COLORS.length]));
    // Colours follow positions (the timeline's lanes and the panels use the same), also for a
    // kept viewport that moved: a late page learns of episodes in another order than they started.
    this.slots.forEach((s, i) => {
      const color = PLANNER_COLORS[i % PLANNER_COLORS.length];
      const moved = s.color !== color;
      if (moved) {
        s.color = color;
        s.label.style.borderColor = color;
      }
      this.rebuild(s, i, moved);
    });
    this.layout();
  }

  /** Switches between side by side and one view with ghosts. */
  setGhost(on: boolean): void {
    if (on === this.ghost) return;
    this.ghost = on;
    this.slots.forEach((s, i) => this.rebuild(s, i, true));
    this.layout();
  }

  private rebuild(s: Slot, index: number, force = false): void {
    const ghost = this.ghost && index > 0;
    if (!force && s.ghost === ghost && s.scenesSeen === s.episode.scenes.length) return;
    s.view.setScene(s.episode.scene, s.color, ghost);
    s.ghost = ghost;
    s.scenesSeen = s.episode.scenes.length;
  }

  /** Draws every viewport at simulated time `t`. */
  render(t: number): void {
    const r = this.renderer;
    const w = this.container.clientWidth;
    const h = this.container.clientHeight;
    r.setScissorTest(true);
    this.slots.forEach((s, index) => {
      const ep = s.episode;
      this.rebuild(s, index);
      const at = ep.frameAt(t);
      if (at) {
        s.view.update(at.a, at.b, at.alpha);
        s.view.updateTrails(ep.frames, at.index);
      }
      const im = ep.imaginedAt(t);
      s.view.setImagined(im?.rollouts ?? null, im?.step ?? null);
      const chosen = im ? chosenRollout(im.rollouts) : null;
      // A live episode's actual path grows with its frames; a finished one's is fixed.
      const checkKey = im && chosen ? `${im.step.step}/${ep.done ? 'done' : ep.frames.length}` : null;
      s.view.setPlanCheck(chosen?.points ?? null, () => (im && chosen ? ep.actualPathFrom(im.step, chosen.points.length - 1) : []), checkKey);
      setText(s.label, labelOf(ep, t));
      setText(s.intent, this.ghost ? '' : (ep.infoAt<string>(t, 'intent')?.value ?? ''));
      s.label.classList.toggle('ended', ep.record !== null && t >= ep.duration - 1e-9);
      if (s.ghost) {
        // Drawn with the first view's camera over its picture, depth-tested against it.
        r.autoClear = false;
        r.render(s.view.root, this.slots[0].camera);
        r.autoClear = true;
        return;
      }
      if (this.follow) this.followRobot(s);
      else s.lastFollow = null;
      s.controls.update();

      const rect = s.overlay.getBoundingClientRect();
      const base = this.container.getBoundingClientRect();
      const x = rect.left - base.left;
      const y = h - (rect.top - base.top) - rect.height;
      r.setViewport(x, y, rect.width, rect.height);
      r.setScissor(x, y, rect.width, rect.height);
      s.camera.aspect = rect.width / Math.max(1, rect.height);
      if (s.autoFit && !this.follow && s.fitAspect !== s.camera.aspect) {
        placeCamera(s.camera, s.controls, ep);
        s.fitAspect = s.camera.aspect;
      }
      s.camera.updateProjectionMatrix();
      r.render(s.view.root, s.camera);
    });
    if (this.slots.length === 0) {
      r.setViewport(0, 0, w, h);
      r.setScissor(0, 0, w, h);
      r.setClearColor('#10151c');
      r.clear();
    }
  }

  /** Points of the chosen plan's imagined path and of the actual path drawn now, per viewport (diagnostics for tests). */
  planCheckPoints(): [number, number][] {
    return this.slots.map((s) => s.view.planCheckPoints());
  }

  /** Line segments of imagined rollouts drawn now, per viewport (diagnostics for tests). */
  imaginedSegments(): number[] {
    return this.slots.map((s) => s.view.imaginedSegments());
  }

  /** Of those, the segments of imagined object paths (push tasks), per viewport. */
  imaginedObjectSegments(): number[] {
    return this.slots.map((s) => s.view.imaginedObjectSegments());
  }

  /** Puts every camera back to its overview of the arena. */
  resetCameras(): void {
    for (const s of this.slots) {
      s.autoFit = true;
      s.fitAspect = 0;
      placeCamera(s.camera, s.controls, s.episode);
    }
  }

  private makeSlot(episode: Episode, color: string): Slot {
    const view = new SceneView();
    view.setScene(episode.scene, color);
    const camera = new THREE.PerspectiveCamera(45, 1, 0.05, 500);
    camera.up.set(0, 0, 1);
    const overlay = document.createElement('div');
    overlay.className = 'viewport';
    const label = document.createElement('div');
    label.className = 'viewport-label';
    label.style.borderColor = color;
    overlay.appendChild(label);
    const intent = document.createElement('div');
    intent.className = 'viewport-intent';
    overlay.appendChild(intent);
    this.container.appendChild(overlay);
    const controls = new OrbitControls(camera, overlay);
    controls.enableDamping = false;
    placeCamera(camera, controls, episode);
    const slot: Slot = { episode, view, camera, controls, overlay, label, intent, color, scenesSeen: episode.scenes.length, lastFollow: null, autoFit: true, fitAspect: 0, ghost: false };
    controls.addEventListener('start', () => (slot.autoFit = false));
    this.bindPicking(slot);
    return slot;
  }

  private dropSlot(s: Slot): void {
    s.controls.dispose();
    s.view.dispose();
    s.overlay.remove();
  }

  private layout(): void {
    if (this.ghost) {
      // One full view; the ghosts' labels stack under the first one's.
      this.slots.forEach((s, i) => {
        Object.assign(s.overlay.style, { left: '0%', top: '0%', width: '100%', height: '100%', pointerEvents: i === 0 ? 'auto' : 'none', border: i === 0 ? '' : 'none' });
        s.label.style.top = `${6 + 28 * i}px`;
        s.label.textContent = '';
      });
      return;
    }
    for (const s of this.slots) {
      Object.assign(s.overlay.style, { pointerEvents: 'auto', border: '' });
      s.label.style.top = '';
    }
    const n = this.slots.length;
    const cols = n <= 2 ? Math.max(n, 1) : Math.ceil(Math.sqrt(n));
    const rows = Math.max(1, Math.ceil(n / cols));
    this.slots.forEach((s, i) => {
      const c = i % cols;
      const r = Math.floor(i / cols);
      Object.assign(s.overlay.style, { left: `${(c / cols) * 100}%`, top: `${(r / rows) * 100}%`, width: `${100 / cols}%`, height: `${100 / rows}%` });
    });
  }

  private resize(): void {
    this.renderer.setSize(this.container.clientWidth, this.container.clientHeight, false);
  }

  private followRobot(s: Slot): void {
    if (!s.view.bodyPosition(s.view.robotSlot, _v)) return;
    if (s.lastFollow) {
      const dx = _v.x - s.lastFollow.x;
      const dy = _v.y - s.lastFollow.y;
      s.camera.position.x += dx;
      s.camera.position.y += dy;
      s.controls.target.x += dx;
      s.controls.target.y += dy;
    } else {
      s.controls.target.set(_v.x, _v.y, 0);
      s.lastFollow = new THREE.Vector3();
    }
    s.lastFollow.copy(_v);
  }

  private bindPicking(s: Slot): void {
    let down: { x: number; y: number } | null = null;
    s.overlay.addEventListener('pointerdown', (e) => (down = { x: e.clientX, y: e.clientY }));
    s.overlay.addEventListener('pointerup', (e) => {
      if (!down || Math.hypot(e.clientX - down.x, e.clientY - down.y) > 4 || !this.onPick) return;
      down = null;
      const rect = s.overlay.getBoundingClientRect();
      const ndc = new THREE.Vector2(((e.clientX - rect.left) / rect.width) * 2 - 1, -((e.clientY - rect.top) / rect.height) * 2 + 1);
      const ray = new THREE.Raycaster();
      ray.setFromCamera(ndc, s.camera);
      const hit = s.view.pick(ray);
      const point = hit?.point ?? ray.ray.intersectPlane(new THREE.Plane(new THREE.Vector3(0, 0, 1), 0), new THREE.Vector3());
      if (!point) return;
      const direction = new THREE.Vector3(point.x - s.camera.position.x, point.y - s.camera.position.y, 0).normalize();
      this.onPick({ episode: s.episode, body: hit?.body ?? null, point, direction });
    });
  }
}

/** Frames the whole arena (walls included) from the south, 50° above the horizon, whatever
 * the viewport's shape: the nearest camera distance at which every corner projects inside. */
function placeCamera(camera: THREE.PerspectiveCamera, controls: OrbitControls, ep: Episode): void {
  const [w, h] = ep.scene.arena.size;
  const corners = [-1, 1].flatMap((sx) => [-1, 1].flatMap((sy) => [0, 0.6].map((z) => new THREE.Vector3((sx * w) / 2, (sy * h) / 2, z))));
  const dir = new THREE.Vector3(0, -Math.cos(0.87), Math.sin(0.87));
  const fits = (d: number) => {
    camera.position.copy(dir).multiplyScalar(d);
    camera.lookAt(0, 0, 0);
    camera.updateMatrixWorld();
    camera.updateProjectionMatrix();
    return corners.every((c) => {
      const p = c.clone().project(camera);
      return Math.abs(p.x) <= 0.96 && Math.abs(p.y) <= 0.94 && p.z < 1;
    });
  };
  let lo = 0.5;
  let hi = 4 * Math.max(w, h, 2) + 10;
  for (let i = 0; i < 24; i++) {
    const mid = (lo + hi) / 2;
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  camera.position.copy(dir).multiplyScalar(hi);
  controls.target.set(0, 0, 0);
  controls.update();
}

/** The viewport's label: its planner, its own clock (which stops when its episode ends, while a
 * rival's runs on), step, return, and how it stands. */
function labelOf(ep: Episode, t: number): string {
  const own = ep.done ? Math.min(t, ep.duration) : t;
  const s = ep.stepAt(own);
  const ended = ep.record !== null && t >= ep.duration - 1e-9;
  const status = ended ? `${ep.record!.success ? '✔' : '✘'} ${outcomeWords(ep.record!)} at ${ep.duration.toFixed(1)} s` : ep.live && !ep.done ? 'running' : '';
  return `${ep.key.planner}  ·  ${own.toFixed(1)} s  ·  step ${s?.step ?? 0}  ·  return ${ep.returnAt(own).toFixed(2)}${status ? `  ·  ${status}` : ''}`;
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
