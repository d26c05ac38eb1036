import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint } from './planners/world-model/io/Checkpoint.ts';
import { createEnv } from './sim/Env.ts';
import { loadScenario } from './scenarios/load.ts';
import { factory } from './planners/baselines/scripted.ts';
import { taskSpec } from './planners/Planner.ts';
import { decodePaths } from './planners/world-model/planning/Imagination.ts';
import { selectBackend } from './planners/world-model/io/backend.ts';

const [ckpt, scen, seedS] = process.argv.slice(2);
await tf.setBackend('cpu');
const { model } = loadCheckpoint(ckpt);
const scenario = loadScenario(scen);
const env = await createEnv(scenario);
const task = taskSpec(scenario, env.actionSpace);
const seed = Number(seedS);
let obs = env.reset({ seed }).obs;
const planner = await factory.create({ config: {} });
await planner.reset(task, seed);
const H = 12, A = env.actionSpace.dim;
const acts: number[][] = [];
const obsList = [obs];
for (let t = 0; t < 200; t++) { const r = await planner.act(obs); acts.push(r.action); const s = env.step(r.action); obs = s.obs; obsList.push(obs); if (s.terminated || s.truncated) break; }
const crateOf = (o: any) => { const c = o.objects.find((x: any) => x.id === o.goal.object); return [c.x, c.y, c.z]; };
for (let t0 = 0; t0 + H < acts.length; t0 += 15) {
  const o0 = obsList[t0];
  const z0 = model.encodeObservations([o0]);
  const seq = new Float32Array(2 * H * A);
  for (let t = 0; t < H; t++) for (let a = 0; a < A; a++) seq[t * A + a] = acts[t0 + t][a];
  // second: zeros
  const sub = decodePaths(model, z0, seq, 2, H, o0.goal.position, crateOf(o0), 'subject');
  const rob = decodePaths(model, z0, seq, 2, H, o0.goal.position, [o0.robot.pose.x, o0.robot.pose.y, o0.robot.pose.z]);
  const trueC = crateOf(obsList[t0 + H]);
  const c0 = crateOf(o0);
  const trueMove = Math.hypot(trueC[0] - c0[0], trueC[1] - c0[1]);
  const imgMove = Math.hypot(sub[0][H][0] - c0[0], sub[0][H][1] - c0[1]);
  const err = Math.hypot(sub[0][H][0] - trueC[0], sub[0][H][1] - trueC[1]);
  const zeroMove = Math.hypot(sub[1][H][0] - c0[0], sub[1][H][1] - c0[1]);
  const rT = obsList[t0 + H].robot.pose;
  const rerr = Math.hypot(rob[0][H][0] - rT.x, rob[0][H][1] - rT.y);
  console.log(`t=${t0} crate true move ${trueMove.toFixed(2)} imagined ${imgMove.toFixed(2)} endErr ${err.toFixed(2)} | zero-seq imagined crate move ${zeroMove.toFixed(2)} | robot endErr ${rerr.toFixed(2)}`);
  z0.dispose();
}
