/**
 * `planarena train world-model`: trains one world-model checkpoint per robot type of a suite.
 * The loop itself lives in planners/world-model/training.ts; this file parses flags, picks the
 * tfjs backend, wires Ctrl-C and prints progress. `train bc` (the behaviour-cloning baseline)
 * has flags of its own and lives in trainBc.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { choiceFlag, intFlag, parseFlags, trainingControls, trainingSelection } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import type { Command } from '../main.ts';
import type { PhysicsFlavor } from '../../sim/types.ts';
import { RECIPES, type Recipe } from '../../planners/world-model/training/recipe.ts';
import { BC_USAGE, trainBcCommand } from './trainBc.ts';

const FLAGS = {
  suite: { type: 'string' },
  scenarios: { type: 'string' },
  robots: { type: 'string' },
  steps: { type: 'string' },
  backend: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'boolean' },
  physics: { type: 'string' },
  batch: { type: 'string' },
  'seed-episodes': { type: 'string' },
  'collect-every': { type: 'string' },
  'save-every': { type: 'string' },
  'log-every': { type: 'string' },
  'eval-seeds': { type: 'string' },
  recipe: { type: 'string' },
  'level-episodes': { type: 'string' },
} as const;

const USAGE = `usage: planarena train world-model --suite S [flags]
       planarena train world-model --recipe shipped [--out DIR]

Trains the world-model planner: one checkpoint per robot type found in the suite's scenarios.
Data: scripted and random seed episodes, then episodes of the model's own planner; kept on disk
in a replay buffer. Ctrl-C saves and stops; --resume continues from the saved step.

flags:
  --recipe R           every setting below from a named recipe (${Object.keys(RECIPES).join(', ')}); flags given override it
${Object.entries(RECIPES).map(([name, r]) => `                         ${name}: ${r.doc}`).join('\n')}
  --suite S            suite id or file (or --scenarios a,b,c)
  --scenarios LIST     comma-separated scenario ids or files, instead of --suite
  --robots LIST        only these robot types (diffdrive, pusher, arm)
  --steps N            gradient steps per robot in total (default 3000)
  --backend B          auto | tensorflow | webgpu | wasm | cpu (default auto)
  --out DIR            output directory (default runs/world-model/<suite>); <DIR>/<robot>/ is a checkpoint
  --resume             continue the run in --out from its last save
  --physics F          deterministic | fast (default deterministic)
  --batch N            windows per gradient step (default 256)
  --seed-episodes N    scripted, random and scripted-explore episodes per scenario to start with (default 12 each; the pusher also scripted-decoy)
  --level-episodes N   the same for generated levels (open-environment families; default 1 each)
  --collect-every N    one episode of the model's own planner every N steps (default 300; 0 = never)
  --save-every N       checkpoint every N steps (default 250)
  --log-every N        losses to log.jsonl every N steps (default 50)
  --eval-seeds N       evaluation seeds per scenario at the end (default 5; 0 = none)

output (<out>/<robot>/): model.json + weights.bin (checkpoint), replay/, trainer/ (resume state),
log.jsonl (losses, collections, evaluations), training.svg (plot).
evaluate:  planarena run --suite S --planners world-model,random,scripted,oracle --checkpoint DIR   (DIR: the --out above)

${BC_USAGE}`;

export const command: Command = {
  name: 'train',
  summary: 'train the world-model planner or the behaviour-cloning baseline',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    if (argv[0] === 'bc') return trainBcCommand(argv.slice(1));
    const { values, positionals } = parseFlags('train', argv, FLAGS);
    const what = positionals[0];
    if (what !== 'world-model' || positionals.length > 1) {
      throw new UserError('E_BAD_FLAG', `what to train? "world-model" or "bc": planarena train world-model --suite <suite>, or planarena train bc --suite <suite> --out <dir>.`);
    }
    let recipe: Recipe | null = null;
    if (values.recipe !== undefined) {
      recipe = RECIPES[values.recipe] ?? null;
      if (!recipe) throw new UserError('E_BAD_FLAG', `--recipe: no recipe "${values.recipe}"; recipes: ${Object.keys(RECIPES).join(', ')}.`);
      if (!values.suite && !values.scenarios) values.suite = recipe.suite;
      values.backend ??= recipe.backend;
      values.batch ??= String(recipe.batch);
      values['seed-episodes'] ??= String(recipe.seedEpisodes);
      values['level-episodes'] ??= String(recipe.levelEpisodes);
      values['collect-every'] ??= String(recipe.collectEvery);
      values['save-every'] ??= String(recipe.saveEvery);
      values['log-every'] ??= String(recipe.logEvery);
      values['eval-seeds'] ??= String(recipe.evalSeeds);
    }
    if (!values.suite && !values.scenarios) throw new UserError('E_BAD_FLAG', 'train world-model: give --suite <id>, --scenarios <ids> or --recipe <name>.');
    const { BACKENDS, describeSelection, selectBackend } = await import('../../planners/world-model/io/backend.ts');
    const backendChoice = choiceFlag('backend', values.backend, BACKENDS, 'auto');
    const physics = choiceFlag<PhysicsFlavor>('physics', values.physics, ['deterministic', 'fast'], 'deterministic');
    const { suiteId, byRobot, robots } = trainingSelection(values);
    const out = resolve(values.out ?? join('runs', 'world-model', suiteId.replace(/[^A-Za-z0-9_-]/g, '_')));

    const selection = await selectBackend(backendChoice);
    console.error(`planarena train: tfjs backend ${describeSelection(selection)}`);
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'manifest.json'),
      JSON.stringify({ command: ['planarena', 'train', ...argv], createdAt: new Date().toISOString(), backend: selection.backend, backendTried: selection.tried, suite: suiteId, robots, node: process.version }, null, 1) + '\n',
    );

    const { signal, progress, release } = trainingControls('planarena train', /\d+\/\d+ {2}loss/);

    const { trainRobot } = await import('../../planners/world-model/training/training.ts');
    try {
      for (const robot of robots) {
        const r = await trainRobot({
          robot,
          scenarios: byRobot.get(robot)!,
          steps: intFlag('steps', values.steps, recipe ? recipe.steps[robot] : 3000),
          out,
          resume: values.resume ?? false,
          backend: selection.backend,
          physics,
          batch: values.batch ? intFlag('batch', values.batch, 256, 8) : undefined,
          seedEpisodes: intFlag('seed-episodes', values['seed-episodes'], 12),
          levelEpisodes: intFlag('level-episodes', values['level-episodes'], 1),
          collectEvery: intFlag('collect-every', values['collect-every'], 300, 0),
          saveEvery: intFlag('save-every', values['save-every'], 250),
          logEvery: intFlag('log-every', values['log-every'], 50),
          evalSeeds: intFlag('eval-seeds', values['eval-seeds'], 5, 0),
          ...(recipe?.collectPlan?.[robot] ? { collectPlan: recipe.collectPlan[robot] } : {}),
          ...(recipe?.decoy?.[robot] ? { decoy: recipe.decoy[robot] } : {}),
          ...(recipe?.train?.[robot] ? { train: recipe.train[robot] } : {}),
          signal,
          progress,
          command: ['planarena', 'train', ...argv].join(' '),
        });
        console.log(JSON.stringify({ robot: r.robot, checkpoint: r.dir, step: r.step, stopped: r.stopped, episodes: r.episodes, transitions: r.transitions, wallSeconds: r.wallSeconds, evaluation: r.evaluation }));
        if (r.stopped) return 130;
      }
    } finally {
      release();
    }
    return 0;
  },
};
