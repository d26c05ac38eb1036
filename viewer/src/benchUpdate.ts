/**
 * In-page benchmark for `bench/viewer.bench.ts`: per-frame update time of {@link SceneView}
 * (instanced meshes, interpolated) for `n` moving bodies, and, as the baseline measured in the
 * same page, the same poses written to one plain `Mesh` per body (three's default approach).
 * Both include a render of the scene, so the GPU upload of the matrices is counted.
 */
import * as THREE from 'three';
import type { StaticScene } from '../../sim/types.ts';
import type { FrameRef } from './Episode.ts';
import { SceneView } from './SceneView.ts';

export interface UpdateBench {
  bodies: number;
  instancedMs: number;
  meshesMs: number;
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

  // Instanced (what the viewer does)
  const view = new SceneView();
  view.setScene(scene);
  const instancedMs = time(iterations, (k) => {
    view.update(a, b, (k % 10) / 10);
    renderer.render(view.root, camera);
  });
  view.dispose();

  // Baseline: one Mesh per body
  const root = new THREE.Scene();
  root.add(new THREE.HemisphereLight('#ffffff', '#333333', 2));
  const geo = new THREE.BoxGeometry(0.3, 0.3, 0.3);
  const mat = new THREE.MeshLambertMaterial({ color: '#cc8844' });
  const meshes = Array.from({ length: n }, () => root.add(new THREE.Mesh(geo, mat)).children[root.children.length - 1] as THREE.Mesh);
  const qa = new THREE.Quaternion();
  const qb = new THREE.Quaternion();
  const meshesMs = time(iterations, (k) => {
    const alpha = (k % 10) / 10;
    for (let i = 0; i < n; i++) {
      const o = i * 7;
      const m = meshes[i];
      m.position.set(a.transforms[o], a.transforms[o + 1], a.transforms[o + 2]).lerp(new THREE.Vector3(b.transforms[o], b.transforms[o + 1], b.transforms[o + 2]), alpha);
      qa.fromArray(a.transforms, o + 3);
      qb.fromArray(b.transforms, o + 3);
      m.quaternion.copy(qa).slerp(qb, alpha);
    }
    renderer.render(root, camera);
  });
  geo.dispose();
  mat.dispose();
  return { bodies: n, instancedMs, meshesMs };
}

function time(iterations: number, fn: (k: number) => void): number {
  for (let k = 0; k < 5; k++) fn(k);
  const t0 = performance.now();
  for (let k = 0; k < iterations; k++) fn(k);
  return (performance.now() - t0) / iterations;
}
