/**
 * `planarena diagnose world-model`: is the model, the cost or the search at fault? Parses flags,
 * runs `planners/world-model/diagnose/diagnoseWorldModel.ts`, writes `diagnosis.json` and
 * `report.html` (evaluation/worldModelDiagnosis*.ts) and prints the short table.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { intFlag, parseFlags, parseSeeds, splitList } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import { defaultRunDir } from '../../core/runStore.ts';
import { camelCase, dashed, didYouMean, validateSettings } from '../../core/settings.ts';
import type { Command } from '../main.ts';
import { loadScenario, loadSuite, loadSuiteScenarios } from '../../scenarios/load.ts';
import type { Scenario } from '../../scenarios/schema.ts';
import { WORLD_MODEL_SETTINGS } from '../../planners/world-model/settings.ts';
import type { Variant } from '../../planners/world-model/diagnose/diagnoseWorldModel.ts';

const FLAGS = {
  scenarios: { type: 'string' },
  suite: { type: 'string' },
  seeds: { type: 'string' },
  checkpoint: { type: 'string' },
  states: { type: 'string' },
  every: { type: 'string' },
  samples: { type: 'string' },
  'search-samples': { type: 'string' },
  ablations: { type: 'string' },
  out: { type: 'string' },
  set: { type: 'string', multiple: true },
} as const;

/** Every ablation variant, as the driver names them (kept in step with VARIANTS by a test). */
export const ABLATION_NAMES = ['actor', 'true-cost', 'true-model', 'true-both', 'search-small'] as const;

const USAGE = `usage: planarena diagnose world-model --scenarios IDS | --suite S  --seeds SPEC [flags]

Says whether the world model, its learned cost or its search is at fault, on the same seeds:
imagination error (probe-decoded imagined path vs the true simulator's path for the same
actions, at every horizon step), cost ranking (Spearman ρ of the learned cost vs the true
return of K sampled sequences, executed on a clone of the world) and ablations (full episodes).
Read the output with docs/world-model.md, section "Diagnose".

flags:
  --scenarios IDS       comma-separated scenario ids or files (or --suite S)
  --suite S             suite id or file
  --seeds SPEC          a count (2 = seeds 0,1) or a list (3,7,0-4)
  --checkpoint DIR      checkpoint directory (default: the shipped checkpoints)
  --states K            states probed per episode (default 3)
  --every N             control steps between probed states, from the reset state (default 15)
  --samples K           sequences sampled per probed state for the cost ranking (default 24)
  --search-samples N    MPPI samples per iteration of the ablations with a swapped part (default 16)
  --ablations LIST      of actor, true-cost, true-model, true-both, search-small; "none" for none
                        (default: all but true-both, the slowest). The default planner always runs
  --out DIR             output directory (default runs/diagnose-<UTC time>); must be new or empty
  --set wm-KEY=VALUE    world-model planner setting (repeatable), as for planarena run

ablations (MPPI with the search of the default planner, ${'`--search-samples`'} per iteration):
  actor          the actor's sequence alone, no search
  true-cost      learned model, cost = the task's cost of the probe-decoded path
  true-model     the simulator (a clone) as the model, the learned cost of the encoded true states
  true-both      the simulator as the model, the task's cost of the true path
  search-small   learned model + learned cost with the same reduced search (the fair reference)

output: <out>/diagnosis.json (every measurement and summary), <out>/report.html (plots).`;

function scenariosOf(values: { scenarios?: string; suite?: string }): Scenario[] {
  if (values.scenarios && values.suite) throw new UserError('E_BAD_FLAG', 'diagnose: give --scenarios or --suite, not both.');
  if (values.suite) return loadSuiteScenarios(loadSuite(values.suite));
  const ids = splitList(values.scenarios);
  if (ids.length === 0) throw new UserError('E_BAD_FLAG', 'diagnose world-model: --scenarios is missing; give scenario ids (--scenarios open-field,u-trap) or --suite <id>.');
  return ids.map((id) => loadScenario(id));
}

/** `--set wm-key=value` items → the world-model planner's config keys; only its settings. */
function plannerSettings(items: readonly string[], checkpoint: string | undefined): Record<string, unknown> {
  const keys = WORLD_MODEL_SETTINGS.settings.map((s) => s.key);
  const config: Record<string, unknown> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UserError('E_BAD_FLAG', `--set "${item}": expected key=value, e.g. --set wm-cost-prior=0.`);
    const typed = item.slice(0, eq).trim();
    const key = camelCase(typed);
    if (!keys.includes(key) || key === 'checkpoint') {
      const guess = didYouMean(key, keys.filter((k) => k !== 'checkpoint'));
      throw new UserError('E_UNKNOWN_SETTING', `--set ${typed}: not a world-model planner setting${guess ? `; did you mean "${dashed(guess)}"?` : '.'} See docs/world-model.md (planner settings).`);
    }
    config[key] = item.slice(eq + 1).trim();
  }
  if (checkpoint !== undefined) {
    if (!existsSync(checkpoint)) throw new UserError('E_BAD_FLAG', `--checkpoint ${checkpoint} does not exist; pass a checkpoint directory (holding model.json) or a \`train --out\` directory.`);
    config.checkpoint = checkpoint;
  }
  return validateSettings([WORLD_MODEL_SETTINGS], config);
}

export const command: Command = {
  name: 'diagnose',
  summary: 'is the world model, its cost or its search at fault? (imagination error, cost ranking, ablations)',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const { values, positionals } = parseFlags('diagnose', argv, FLAGS);
    if (positionals[0] !== 'world-model' || positionals.length > 1) {
      throw new UserError('E_BAD_FLAG', `what to diagnose? Only "world-model": planarena diagnose world-model --scenarios <ids> --seeds <spec>.`);
    }
    const scenarios = scenariosOf(values);
    if (values.seeds === undefined) throw new UserError('E_BAD_FLAG', 'diagnose world-model: --seeds is missing; give a count (--seeds 2 = seeds 0,1) or a list (--seeds 3,7).');
    const seeds = parseSeeds(values.seeds);
    const states = intFlag('states', values.states, 3, 0);
    const every = intFlag('every', values.every, 15);
    const samples = intFlag('samples', values.samples, 24, 2);
    const searchSamples = intFlag('search-samples', values['search-samples'], 16);
    const wanted = values.ablations === 'none' ? [] : values.ablations === undefined ? ['actor', 'true-cost', 'true-model', 'search-small'] : splitList(values.ablations);
    for (const a of wanted) {
      if (!(ABLATION_NAMES as readonly string[]).includes(a)) {
        const guess = didYouMean(a, ABLATION_NAMES);
        throw new UserError('E_BAD_FLAG', `--ablations: unknown variant "${a}"${guess ? `; did you mean "${guess}"?` : ''}. Valid: ${ABLATION_NAMES.join(', ')}, or none.`);
      }
    }
    const config = plannerSettings((values.set as string[] | undefined) ?? [], values.checkpoint);
    const out = resolve(values.out ?? defaultRunDir('diagnose'));
    if (existsSync(out) && readdirSync(out).length > 0) throw new UserError('E_RUN_DIR', `--out ${values.out ?? out} is not empty; pass a new --out DIR.`);

    const robots = [...new Set(scenarios.map((s) => s.robot.type))];
    const { unavailableFor } = await import('../../planners/world-model/WorldModelPlanner.ts');
    for (const robot of robots) {
      const why = unavailableFor(robot, config);
      if (why) throw new UserError('E_CHECKPOINT', why);
    }
    const { selectBackend } = await import('../../planners/world-model/io/backend.ts');
    await selectBackend((config.wmBackend as 'wasm' | undefined) ?? 'wasm');
    const { diagnoseWorldModel } = await import('../../planners/world-model/diagnose/diagnoseWorldModel.ts');
    const { diagnosisTable, summarise } = await import('../../evaluation/worldModelDiagnosis.ts');
    const { diagnosisHtml } = await import('../../evaluation/worldModelDiagnosisReport.ts');

    const started = performance.now();
    const diagnosis = await diagnoseWorldModel({
      scenarios,
      seeds,
      config,
      states,
      every,
      samples,
      searchSamples,
      variants: wanted as Variant[],
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    const command = ['planarena', 'diagnose', ...argv].join(' ');
    const createdAt = new Date().toISOString();
    const summaries = summarise(diagnosis);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'diagnosis.json'), JSON.stringify({ command, createdAt, wallSeconds: Math.round((performance.now() - started) / 100) / 10, ...diagnosis, summary: summaries }, null, 1) + '\n');
    writeFileSync(join(out, 'report.html'), diagnosisHtml(diagnosis, { command, createdAt }));
    process.stdout.write(`${diagnosisTable(summaries)}\n\nwrote ${join(out, 'diagnosis.json')} and ${join(out, 'report.html')}\n`);
    return 0;
  },
};
