/**
 * In-page benchmark for `bench/viewer.bench.ts`: per-frame update time of {@link SceneView}
 * (instanced meshes, interpolated) for `n` moving bodies, and, as the baseline measured in the
 * same page, the same poses written to one plain `Mesh` per body (three's default approach).
 * Measured twice: the update alone (what the viewer does per frame before drawing), and the
 * update plus a render waited for with a 1-pixel read-back, so the GPU upload is counted.
 */
import * as THREE from 'three';
import type { StaticScene } from '../../sim/types.ts';
import type { FrameRef } from './Episode.ts';
import { SceneView } from './SceneView.ts';

export interface UpdateBench {
  bodies: number;
  /** Pose update only (matrices written, upload flagged). */
  instancedMs: number;
  meshesMs: number;
  /** Update plus a render waited for by a 1-pixel read-back. */
  instancedFrameMs: number;
  meshesFrameMs: number;
}

export function benchUpdate(n: number, iterations: number, renderer: THREE.WebGLRenderer): UpdateBench {
  const side = Math.ceil(Math.sqrt(n));
  const scene: StaticScene = {
    scenarioId: 'bench',
    arena: { size: [side, side], color: '#333333' },
    goal: { type: 'reach', position: [0, 0], tolerance: 0.2 },
    bodies: Array.from({ length: n }, (_, i) => ({
      id: `b${i}`,
      kind: 'movable',
      dynamic: true,
      shapes: [{ shape: 'box', dims: [0.3, 0.3, 0.3], offset: [0, 0, 0, 0, 0, 0, 1], color: '#cc8844' }],
      pose: [0, 0, 0.15, 0, 0, 0, 1],
    })),
  };
  const frame = (phase: number): FrameRef => {
    const t = new Float32Array(n * 7);
    for (let i = 0; i < n; i++) {
      const a = phase + i * 0.01;
      t.set([(i % side) - side / 2 + 0.1 * Math.cos(a), Math.floor(i / side) - side / 2, 0.15, 0, 0, Math.sin(a / 2), Math.cos(a / 2)], i * 7);
    }
    return { t: phase, step: 0, transforms: t };
  };
  renderer.setScissorTest(false);
  const a = frame(0);
  const b = frame(1);
  const camera = new THREE.PerspectiveCamera(45, 1, 0.1, 500);
  camera.up.set(0, 0, 1);
  camera.position.set(0, -side, side);
  camera.lookAt(0, 0, 0);

  const pixel = new Uint8Array(4);
  const gl = renderer.getContext();
  const sync = () => gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);

  // Instanced (what the viewer does)
  const view = new SceneView();
  view.setScene(scene);
  const instancedMeshes: THREE.Object3D[] = [];
  view.root.traverse((o) => {
    if ((o as THREE.InstancedMesh).isInstancedMesh) instancedMeshes.push(o);
  });

  // Baseline: one Mesh per body, in the same scene (arena, lights, goal), so both renders fill
  // the same pixels; each setup hides the other's bodies while it is measured.
  const root = view.root;
  const geo = new THREE.BoxGeometry(0.3, 0.3, 0.3);
  const mat = new THREE.MeshLambertMaterial({ color: '#cc8844' });
  const group = new THREE.Group();
  root.add(group);
  const meshes = Array.from({ length: n }, () => {
    const m = new THREE.Mesh(geo, mat);
    group.add(m);
    return m;
  });
  const qa = new THREE.Quaternion();
  const qb = new THREE.Quaternion();
  const pb = new THREE.Vector3();
  const instancedUpdate = (k: number) => view.update(a, b, (k % 10) / 10);
  const meshUpdate = (k: number) => {
    const alpha = (k % 10) / 10;
    for (let i = 0; i < n; i++) {
      const o = i * 7;
      const m = meshes[i];
      m.position.set(a.transforms[o], a.transforms[o + 1], a.transforms[o + 2]).lerp(pb.set(b.transforms[o], b.transforms[o + 1], b.transforms[o + 2]), alpha);
      qa.fromArray(a.transforms, o + 3);
      qb.fromArray(b.transforms, o + 3);
      m.quaternion.copy(qa).slerp(qb, alpha);
    }
    group.updateMatrixWorld();
  };
  const show = (inst: boolean) => {
    for (const m of instancedMeshes) m.visible = inst;
    group.visible = !inst;
  };
  const withRender = (update: (k: number) => void) => (k: number) => {
    update(k);
    renderer.render(root, camera);
    sync();
  };

  // Interleaved rounds, medians: the machine may be shared, and noise should hit both sides alike.
  const upd: [number[], number[]] = [[], []];
  const frm: [number[], number[]] = [[], []];
  for (let round = 0; round < 5; round++) {
    upd[0].push(time(iterations, instancedUpdate));
    upd[1].push(time(iterations, meshUpdate));
    show(true);
    frm[0].push(time(3, withRender(instancedUpdate)));
    show(false);
    frm[1].push(time(3, withRender(meshUpdate)));
  }
  geo.dispose();
  mat.dispose();
  view.dispose();
  const [instancedMs, meshesMs, instancedFrameMs, meshesFrameMs] = [upd[0], upd[1], frm[0], frm[1]].map(median);
  return { bodies: n, instancedMs, meshesMs, instancedFrameMs, meshesFrameMs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function time(iterations: number, fn: (k: number) => void): number {
  for (let k = 0; k < 2; k++) fn(k);
  const t0 = performance.now();
  for (let k = 0; k < iterations; k++) fn(k);
  return (performance.now() - t0) / iterations;
}
