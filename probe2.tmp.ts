import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { loadCheckpoint } from './planners/world-model/io/Checkpoint.ts';
import { createEnv } from './sim/Env.ts';
import { loadScenario } from './scenarios/load.ts';
import { decodePaths, observedScene, sequenceCosts } from './planners/world-model/planning/Imagination.ts';
import { resolveConfig } from './planners/world-model/Configurator.ts';
import { RouteFieldCache } from './planners/world-model/planning/routeCost.ts';

const [ckpt, scen, seedS, rec, stepS] = process.argv.slice(2);
await tf.setBackend('cpu');
const { model } = loadCheckpoint(ckpt);
const scenario = loadScenario(scen);
const env = await createEnv(scenario);
const seed = Number(seedS);
let obs = env.reset({ seed }).obs;
const steps = JSON.parse(readFileSync(rec, 'utf8')).steps;
for (let t = 0; t < Number(stepS); t++) obs = env.step(steps[t].action).obs;
const base = resolveConfig(model.config, { wmCostRoute: 30, wmCostApproach: 10, wmCostPrior: 2 });
const plan = base.plan;
const H = plan.horizon, A = 2;
const dirs = Array.from({ length: 8 }, (_, k) => [Math.cos((k * Math.PI) / 4), Math.sin((k * Math.PI) / 4)]);
const n = dirs.length + 1;
const seqs = new Float32Array(n * H * A);
dirs.forEach((d, i) => { for (let t = 0; t < H; t++) { seqs[(i * H + t) * A] = 0.6 * d[0]; seqs[(i * H + t) * A + 1] = 0.6 * d[1]; } });
const z0 = model.encodeObservations([obs]);
const routes = new RouteFieldCache();
const scene = observedScene(obs, plan, 'pusher', 0.1, scenario.arena.size, routes)!;
const only = (k: Partial<typeof plan.cost>) => ({ ...plan, cost: { ...plan.cost, goal: 0, reward: 0, failure: 0, value: 0, prior: 0, route: 0, approach: 0, clearance: 0, settle: 0, ...k } });
const parts = {
  learned: sequenceCosts(model, z0, seqs, n, only({ goal: plan.cost.goal, failure: plan.cost.failure, reward: plan.cost.reward })),
  prior: sequenceCosts(model, z0, seqs, n, only({ prior: plan.cost.prior })),
  route: sequenceCosts(model, z0, seqs, n, only({ route: plan.cost.route }), scene),
  approach: sequenceCosts(model, z0, seqs, n, only({ approach: plan.cost.approach }), scene),
};
const crate = obs.objects.find((o) => o.id === obs.goal.object)!;
const sub = decodePaths(model, z0, seqs, n, H, obs.goal.position, [crate.x, crate.y, crate.z], 'subject');
const rob = decodePaths(model, z0, seqs, n, H, obs.goal.position, [obs.robot.pose.x, obs.robot.pose.y, obs.robot.pose.z]);
console.log('robot', obs.robot.pose.x.toFixed(2), obs.robot.pose.y.toFixed(2), 'crate', crate.x.toFixed(2), crate.y.toFixed(2), 'goal', obs.goal.position.map((v) => v.toFixed(2)));
for (let i = 0; i < n; i++) {
  const name = i < 8 ? `dir ${i * 45}` : 'zero';
  console.log(name.padEnd(8), Object.entries(parts).map(([k, v]) => `${k} ${v[i].toFixed(1)}`).join('  '), ` robotEnd (${rob[i][H][0].toFixed(2)},${rob[i][H][1].toFixed(2)}) crateEnd (${sub[i][H][0].toFixed(2)},${sub[i][H][1].toFixed(2)})`);
}
