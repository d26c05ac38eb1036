/**
 * One client's simulator session on the env server (`EnvServer.ts`): the protocol's `reset` and
 * `step` (envProtocol.ts) on a private environment. Every reset disposes the old world and builds
 * a new one, exactly as the runner does per episode, so the same scenario, seed and actions give
 * the runner's observations, rewards and trajectory hash bit for bit, and nothing of an episode
 * (or of another session) reaches the next.
 */
import { UserError } from '../core/errors.ts';
import type { Scenario, Suite } from '../scenarios/schema.ts';
import { createEnv, type SimEnv } from '../sim/Env.ts';
import { TrajectoryHasher } from '../sim/recording.ts';
import type { LidarMethod, PhysicsFlavor } from '../sim/types.ts';
import type { ResetReply, ResetRequest, StepReply, StepRequest } from './envProtocol.ts';
import { episodeStartPayload, observationPayload, taskView } from './policyProtocol.ts';
import { describe, readVector } from './wire.ts';

/** Where sessions find scenarios and suites by id (never by path: clients must not read the server's files). */
export interface EnvCatalog {
  scenario(id: string): Scenario;
  suite(id: string): Suite;
}

export interface EnvSessionOptions {
  physics: PhysicsFlavor;
  lidar: LidarMethod;
}

/** A request the client got wrong; answered with `error {message}`, the session stays usable. */
export class EnvRequestError extends Error {
  override readonly name = 'EnvRequestError';
}

const MAX_SEED = 2 ** 31 - 1;

export class EnvSession {
  private env: SimEnv | null = null;
  private scenario: Scenario | null = null;
  private seed = -1;
  private hasher = new TrajectoryHasher();
  private ended: 'terminated' | 'truncated' | null = null;

  constructor(
    private readonly catalog: EnvCatalog,
    private readonly opts: EnvSessionOptions,
  ) {}

  async reset(req: ResetRequest): Promise<ResetReply> {
    const scenario = this.pick(req);
    const seed = req.seed === undefined || req.seed === null ? this.seed + 1 : req.seed;
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new EnvRequestError(`reset: "seed" must be an integer in 0..${MAX_SEED}; got ${describe(req.seed)}`);
    }
    this.dispose();
    const env = await createEnv(scenario, { physics: this.opts.physics, lidar: this.opts.lidar });
    this.env = env;
    this.scenario = scenario;
    this.seed = seed;
    this.ended = null;
    this.hasher = new TrajectoryHasher();
    const { obs, info } = env.reset({ seed });
    this.hasher.update(env.transforms());
    return {
      observation: observationPayload(obs),
      info: {
        ...episodeStartPayload(taskView(scenario, env.actionSpace), seed),
        maxSteps: Math.round(scenario.timeLimit / scenario.controlPeriod),
        ...info,
        trajectoryHash: this.hasher.peek(),
      },
    };
  }

  step(req: StepRequest): StepReply {
    const env = this.env;
    if (!env) throw new EnvRequestError('step before reset: send reset {scenario, seed} first');
    if (this.ended) throw new EnvRequestError(`step after the episode was ${this.ended}: send reset to start a new one`);
    let action: number[];
    try {
      action = readVector(req.action, 'step: "action"');
    } catch (e) {
      throw new EnvRequestError((e as Error).message);
    }
    const dim = env.actionSpace.dim;
    if (action.length !== dim) throw new EnvRequestError(`step: "action" has ${action.length} numbers; ${env.scenario.robot.type} takes ${dim} (${env.actionSpace.names.join(', ')})`);
    const bad = action.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new EnvRequestError(`step: action[${bad}] is ${action[bad]}; every component must be finite`);
    const r = env.step(action);
    this.hasher.update(env.transforms());
    if (r.terminated) this.ended = 'terminated';
    else if (r.truncated) this.ended = 'truncated';
    return { observation: observationPayload(r.obs), reward: r.reward, terminated: r.terminated, truncated: r.truncated, info: { ...r.info, trajectoryHash: this.hasher.peek() } };
  }

  dispose(): void {
    this.env?.dispose();
    this.env = null;
  }

  private pick(req: ResetRequest): Scenario {
    if (req.scenario !== undefined && req.suite !== undefined) throw new EnvRequestError('reset: give "scenario" or "suite", not both');
    const seed = typeof req.seed === 'number' && Number.isInteger(req.seed) && req.seed >= 0 ? req.seed : this.seed + 1;
    try {
      if (typeof req.scenario === 'string') return this.catalog.scenario(req.scenario);
      if (typeof req.suite === 'string') {
        const suite = this.catalog.suite(req.suite);
        return this.catalog.scenario(suite.scenarios[seed % suite.scenarios.length]);
      }
    } catch (e) {
      throw new EnvRequestError(`reset: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (req.scenario !== undefined || req.suite !== undefined) throw new EnvRequestError(`reset: "scenario" and "suite" are ids (strings); got ${describe(req.scenario ?? req.suite)}`);
    if (!this.scenario) throw new EnvRequestError('reset: name a "scenario" (or a "suite") for the first episode of a session');
    return this.scenario;
  }
}

/** The shipped scenarios and suites by id, plus extra scenarios the server was started with. */
export function catalogOf(load: { loadScenario(id: string): Scenario; loadSuite(id: string): Suite }, extra: readonly Scenario[] = []): EnvCatalog {
  const scenarios = new Map(extra.map((s) => [s.id, s]));
  const suites = new Map<string, Suite>();
  const isId = (id: string, what: string) => {
    // No dots or slashes: `loadScenario` reads any path it is given, and a client must not.
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(id)) {
      throw new UserError('E_ENV_REQUEST', `${what} "${id}" is not an id; the env server loads scenarios by id only (start it with --scenarios FILE for your own files)`);
    }
  };
  return {
    scenario(id) {
      let s = scenarios.get(id);
      if (!s) {
        isId(id, 'scenario');
        s = load.loadScenario(id);
        scenarios.set(id, s);
      }
      return s;
    },
    suite(id) {
      let s = suites.get(id);
      if (!s) {
        isId(id, 'suite');
        s = load.loadSuite(id);
        suites.set(id, s);
      }
      return s;
    },
  };
}
