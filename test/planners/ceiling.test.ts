/**
 * The oracle is a ceiling: on every scenario of the core suite, at seeds 0..2, no baseline
 * (random, scripted) succeeds more often than the oracle with its default settings, or has a
 * higher mean efficiency (success × shortest feasible time / time; the oracle's faster solutions
 * count). Real runner, real physics, real efficiency reference.
 *
 * Cost: the oracle's episodes dominate (about 1-2 minutes of CPU for the 33 of them on one core
 * of the development machine; see bench/RESULTS.md).
 */
import { describe, expect, it } from 'vitest';
import type { EpisodeRecord } from '../../core/records.ts';
import { getPlannerFactory } from '../../planners/registry.ts';
import { runEpisode } from '../../runner/episode.ts';
import { loadScenario, loadSuite } from '../../scenarios/load.ts';

const SEEDS = [0, 1, 2];
const BASELINES = ['random', 'scripted'];

async function episodes(scenarioId: string, planner: string): Promise<EpisodeRecord[]> {
  const scenario = loadScenario(scenarioId);
  const factory = await getPlannerFactory(planner);
  const instance = await factory.create({ config: {} });
  try {
    const out: EpisodeRecord[] = [];
    for (const seed of SEEDS) {
      const { record } = await runEpisode(
        { scenario: scenarioId, planner, seed },
        { scenario, planner: instance, privileged: factory.privileged === true, physics: 'deterministic', clock: 'turn', record: false, pace: 0 },
      );
      expect(record.error, `${planner} on ${scenarioId} seed ${seed}`).toBeUndefined();
      out.push(record);
    }
    return out;
  } finally {
    await instance.dispose();
  }
}

const successes = (rs: EpisodeRecord[]) => rs.filter((r) => r.success).length;
const efficiency = (rs: EpisodeRecord[]) => rs.reduce((s, r) => s + r.efficiency!, 0) / rs.length;

describe('the oracle is a ceiling on the core suite', () => {
  it.each(loadSuite('core').scenarios)('%s: no baseline beats the oracle on success or efficiency', async (id) => {
    const oracle = await episodes(id, 'oracle');
    for (const name of BASELINES) {
      const base = await episodes(id, name);
      expect(successes(oracle), `${id}: oracle successes vs ${name}`).toBeGreaterThanOrEqual(successes(base));
      expect(efficiency(oracle), `${id}: oracle mean efficiency vs ${name}`).toBeGreaterThanOrEqual(efficiency(base));
    }
  }, 600_000);
});
