/**
 * The Python examples, run for real: examples/remote_policy_server.py serving `planarena run`
 * for every robot type, and examples/planarena_env.py (the Gymnasium-style client) reproducing
 * the runner's trajectory hash and return through the env server.
 *
 * Needs a python3 with `websockets` and `msgpack` (Debian: python3-websockets python3-msgpack,
 * installed by .ci/run). Without one the tests are skipped, except where
 * PLANARENA_REQUIRE_PYTHON=1 (CI), where a missing Python is a failure.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogOf } from '../../interop/EnvSession.ts';
import { startEnvServer } from '../../interop/EnvServer.ts';
import type { ActResult, Planner, TaskSpec } from '../../planners/Planner.ts';
import { runEpisode } from '../../runner/episode.ts';
import { loadScenario, loadSuite } from '../../scenarios/load.ts';
import { runFlags, tmpDir } from './session.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');

/** The first python3 that can import the examples' two dependencies. */
function findPython(): string | null {
  for (const exe of [process.env.PLANARENA_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!exe) continue;
    try {
      execFileSync(exe, ['-c', 'import websockets, msgpack'], { stdio: 'ignore' });
      return exe;
    } catch {
      // Not this one (missing, or without the modules); try the next.
    }
  }
  return null;
}

const python = findPython();
const required = process.env.PLANARENA_REQUIRE_PYTHON === '1';
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill()));

it('finds a python3 with websockets and msgpack where CI requires one', () => {
  if (required) expect(python, 'no python3 with websockets and msgpack: apt-get install python3-websockets python3-msgpack').not.toBeNull();
});

/** Same fixed action list as examples/planarena_env.py's fixed_action. */
const fixedAction = (i: number, dim: number) => Array.from({ length: dim }, (_, k) => ((i * 7 + k * 3) % 11) / 5 - 1);

class ListPlanner implements Planner {
  readonly name = 'list';
  private i = 0;
  private dim = 0;
  async reset(task: TaskSpec): Promise<void> {
    this.i = 0;
    this.dim = task.actionSpace.dim;
  }
  async act(): Promise<ActResult> {
    return { action: fixedAction(this.i++, this.dim), info: {} };
  }
  dispose(): void {}
}

describe.skipIf(python === null)('python examples', () => {
  it('remote_policy_server.py drives every robot type in a planarena run', async () => {
    const child = spawn(python!, [join(EXAMPLES, 'remote_policy_server.py'), '--port', '0'], { cwd: EXAMPLES });
    children.push(child);
    let out = '';
    child.stderr.on('data', (d) => (out += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (ws:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`python server exited ${code}: ${out}`)));
    });
    const result = await runFlags({ suite: 'smoke', seeds: '2', planners: 'remote:python', 'remote-url': `python=${url}`, out: join(tmpDir('python'), 'run') });
    expect(result.records).toHaveLength(6);
    for (const r of result.records) {
      expect(r.error, `${r.scenario} seed ${r.seed}: ${out}`).toBeUndefined();
      expect(r.planner).toBe('remote:python');
      expect(r.plannerStats.remoteDecisions).toBe(r.steps);
    }
    expect(result.records.filter((r) => r.scenario !== 'push-box' && r.success)).toHaveLength(4);
  });

  it.each([
    ['open-field', 3],
    ['push-box', 5],
    ['arm-reach', 1],
  ])('planarena_env.py on %s seed %i gives the runner\'s trajectory hash and return', async (id, seed) => {
    const server = await startEnvServer({ port: 0, host: '127.0.0.1', physics: 'deterministic', lidar: 'analytic', catalog: catalogOf({ loadScenario, loadSuite }), maxSessions: 2 });
    let printed: { steps: number; return: number; trajectoryHash: string; robot: string; flatLength: number };
    try {
      const { stdout } = await promisify(execFile)(python!, [join(EXAMPLES, 'planarena_env.py'), '--url', server.url, '--scenario', id, '--seed', String(seed)], { cwd: EXAMPLES, timeout: 100_000 });
      printed = JSON.parse(stdout);
    } finally {
      await server.close();
    }
    const scenario = loadScenario(id);
    const { record } = await runEpisode({ scenario: id, planner: 'list', seed }, { physics: 'deterministic', clock: 'turn', record: false, pace: 0, scenario, planner: new ListPlanner(), privileged: false });
    expect(printed.robot).toBe(scenario.robot.type);
    expect(printed.steps).toBe(record.steps);
    expect(printed.return).toBe(record.return);
    expect(printed.trajectoryHash).toBe(record.trajectoryHash);
  });
});
