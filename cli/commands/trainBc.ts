/**
 * `planarena train bc`: trains the behaviour-cloning baseline, one checkpoint per robot type of
 * the selection. The loop lives in planners/baselines/bc/training.ts; this file parses flags,
 * picks the tfjs backend, wires Ctrl-C and prints progress. `train.ts` hands `train bc` here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { choiceFlag, intFlag, parseFlags, trainingControls, trainingSelection } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import type { PhysicsFlavor } from '../../sim/types.ts';

const FLAGS = {
  suite: { type: 'string' },
  scenarios: { type: 'string' },
  robots: { type: 'string' },
  steps: { type: 'string' },
  episodes: { type: 'string' },
  backend: { type: 'string' },
  out: { type: 'string' },
  physics: { type: 'string' },
  batch: { type: 'string' },
} as const;

export const BC_USAGE = `usage: planarena train bc --suite S | --scenarios a,b --out DIR [flags]

Trains the behaviour-cloning baseline: a policy network (the world model's perception network
and an MLP head, reading exactly what the world model reads) that imitates the scripted
controller. No world model, no search. One checkpoint per robot type of the selection.
Data: scripted episodes and as many with DART-style noise (bursts of random actions, labelled
with the controller's action), kept in <out>/<robot>/replay/ and reused by a second run.

flags:
  --suite S            suite id or file (or --scenarios a,b,c)
  --scenarios LIST     comma-separated scenario ids or files, instead of --suite
  --robots LIST        only these robot types (diffdrive, pusher, arm)
  --steps N            gradient steps per robot (default 3000)
  --episodes N         episodes per scenario of each kind, clean and noisy (default 8)
  --out DIR            output directory (default runs/bc/<suite>); <DIR>/<robot>/ is a checkpoint
  --backend B          auto | tensorflow | webgpu | wasm | cpu (default wasm)
  --physics F          deterministic | fast (default deterministic)
  --batch N            samples per gradient step (default 128)

output (<out>/<robot>/): policy.json + weights.bin (checkpoint), replay/, log.jsonl.
evaluate:  planarena run --suite S --planners bc,scripted,world-model --bc-checkpoint DIR   (DIR: the --out above)`;

export async function trainBcCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('train', argv, FLAGS);
  if (positionals.length > 0) throw new UserError('E_BAD_FLAG', `train bc: unexpected argument "${positionals[0]}"; it takes flags only. See \`planarena train --help\`.`);
  if (!values.suite && !values.scenarios) throw new UserError('E_BAD_FLAG', 'train bc needs --suite <id> or --scenarios <ids>: planarena train bc --suite <suite> --out <dir>.');
  const { BACKENDS, describeSelection, selectBackend } = await import('../../planners/world-model/io/backend.ts');
  const backendChoice = choiceFlag('backend', values.backend, BACKENDS, 'wasm');
  const physics = choiceFlag<PhysicsFlavor>('physics', values.physics, ['deterministic', 'fast'], 'deterministic');
  const steps = intFlag('steps', values.steps, 3000);
  const episodes = intFlag('episodes', values.episodes, 8);
  const batch = values.batch ? intFlag('batch', values.batch, 256, 8) : undefined;
  const { suiteId, byRobot, robots } = trainingSelection(values);
  const out = resolve(values.out ?? join('runs', 'bc', suiteId.replace(/[^A-Za-z0-9_-]/g, '_')));

  const selection = await selectBackend(backendChoice);
  console.error(`planarena train bc: tfjs backend ${describeSelection(selection)}`);
  mkdirSync(out, { recursive: true });
  const command = ['planarena', 'train', 'bc', ...argv];
  writeFileSync(join(out, 'manifest.json'), JSON.stringify({ command, createdAt: new Date().toISOString(), backend: selection.backend, suite: suiteId, robots, node: process.version }, null, 1) + '\n');

  const { signal, progress, release } = trainingControls('planarena train bc', / step \d+\/\d+ /);
  const { trainBc } = await import('../../planners/baselines/bc/training.ts');
  try {
    for (const robot of robots) {
      const r = await trainBc({ robot, scenarios: byRobot.get(robot)!, steps, episodes, out, physics, backend: selection.backend, batch, signal, progress, command: command.join(' ') });
      console.log(JSON.stringify(r));
      if (r.stopped) return 130;
    }
  } finally {
    release();
  }
  return 0;
}
