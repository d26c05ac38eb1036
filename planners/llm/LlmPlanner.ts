/**
 * The LLM planner: a language model, prompted with the scene, plans for the robot.
 *
 * | mode     | the model returns                         | asked when                                             |
 * |----------|-------------------------------------------|--------------------------------------------------------|
 * | `skills` | a plan of skill calls (move_to, push, …)  | the plan ends, a skill fails, or every K s (optional)  |
 * | `direct` | the low-level action vector               | every K control steps                                  |
 *
 * Skills are the same controllers the scripted baseline runs (`planners/skills`), so a gap
 * between the two is a gap in planning, not in control. Feedback closes the loop (Inner
 * Monologue): skill failures, collisions and invalid outputs are told to the model in words at
 * its next decision. Invalid outputs are answered with the reason and asked again, up to
 * `llmMaxAttempts` per decision and `llmMaxInvalid` per episode (EmbodiedBench).
 *
 * Failures are reported per decision in `info.failures` (the runner counts them into the
 * episode record). A call that fails after retries (server down, timeouts) ends the episode:
 * that decision reports `llm_error` or `timeout` and holds the robot still, and the next `act`
 * throws, so the runner records a `planner_error` with the reason and the run goes on.
 */
import { UserError } from '../../core/errors.ts';
import type { ActResult, FailureCategory, Planner, PlannerFactory, PlannerInfo, PlannerOptions, TaskSpec } from '../Planner.ts';
import { skillsFor } from '../skills/index.ts';
import { describeCall, sentence } from '../skills/describe.ts';
import { failureLabel } from '../../core/failureWords.ts';
import { SkillArgError, type Skill, type SkillSpec, type SkillStep } from '../skills/Skill.ts';
import type { RobotType } from '../../scenarios/schema.ts';
import { isRobotPart } from '../../sim/robots/Robot.ts';
import type { Action, Observation, StepInfo } from '../../sim/types.ts';
import { LlmCallError, type ChatMessage, type ChatProvider, type ChatResult, type OutputSchema } from './ChatProvider.ts';
import { Cassette } from './Cassette.ts';
import { CassetteProvider } from './CassetteProvider.ts';
import { connectProvider, HOW_TO_CONNECT, whyNoLlm } from './connectProvider.ts';
import { resolveLlmConfig, type LlmConfig } from './LlmConfig.ts';
import { catalogSha256 } from './ModelCatalog.ts';
import { LlmStats } from './LlmStats.ts';
import { DEFAULT_PRICES, PriceTable } from './PriceTable.ts';
import { PromptBuilder, type HistoryLine } from './PromptBuilder.ts';
import { DEFAULT_PROMPTS_DIR, PromptTemplates } from './PromptTemplates.ts';
import { directActionSchema, skillPlanSchema, validateDirectAction, validateSkillPlan, type SkillCall, type Validated } from './ReplyValidator.ts';

export { HOW_TO_CONNECT };

interface Failure {
  category: FailureCategory;
  detail: string;
}

/** What one decision exchanged with the model, for `info.llm` (recordings, the viewer). */
interface Exchange {
  decision: number;
  messages: ChatMessage[];
  response: string | null;
  validation: string;
  /** The model's stated reason (`reasoning` of a valid reply). */
  reasoning?: string;
  plan?: { skill: string; args: Record<string, unknown> }[];
  action?: number[];
  usage: { in: number; out: number; estimated: boolean };
  latencyMs: number;
  calls: number;
}

export class LlmPlanner implements Planner {
  /** What the server reported about itself this episode (model ids, fingerprints). */
  private reported = { models: new Set<string>(), fingerprints: new Set<string>() };
  readonly name = 'llm';
  private task!: TaskSpec;
  private seed = 0;
  private builder!: PromptBuilder;
  private skills: SkillSpec[] = [];
  private schema!: OutputSchema;
  private stats: LlmStats;
  private zero: Action = [];

  // Episode state
  private history: HistoryLine[] = [];
  private feedback: string[] = [];
  private queue: SkillCall[] = [];
  private current: Skill | null = null;
  private decisions = 0;
  private lastPlanT = 0;
  private holdUntil = -Infinity;
  private heldAction: Action = [];
  private stepsSinceDecision = 0;
  private collided = new Set<string>();
  private abort: string | null = null;
  /** The model's stated reason for the plan being carried out. */
  private reason = '';

  constructor(
    readonly config: Readonly<LlmConfig>,
    private readonly provider: ChatProvider,
    private readonly model: string,
    private readonly templates: PromptTemplates,
    private readonly prices: PriceTable,
  ) {
    this.stats = new LlmStats(prices.priceOf(model) !== null);
  }

  private get cassette(): CassetteProvider | null {
    return this.provider instanceof CassetteProvider ? this.provider : null;
  }

  async reset(task: TaskSpec, seed: number): Promise<void> {
    await this.cassette?.cassette.save(); // the previous episode's new exchanges, before starting over
    this.cassette?.beginEpisode();
    this.task = task;
    this.seed = seed;
    this.reported = { models: new Set(), fingerprints: new Set() };
    const cfg = this.config;
    this.skills = cfg.mode === 'skills' ? skillsFor(task.robot, { arena: task.arena.size }) : [];
    if (cfg.mode === 'skills' && this.skills.length === 0) {
      throw new UserError('E_LLM_CONFIG', `--llm-mode skills: no skills exist for the ${task.robot} robot; use --llm-mode direct.`);
    }
    this.builder = new PromptBuilder(this.templates, withHint(task, cfg.hints), cfg.mode, this.skills, cfg.replanEvery, cfg.history);
    this.schema = cfg.mode === 'skills' ? skillPlanSchema(this.skills) : directActionSchema(task.actionSpace);
    this.stats = new LlmStats(this.prices.priceOf(this.model) !== null);
    this.zero = new Array<number>(task.actionSpace.dim).fill(0);
    this.history = [];
    this.feedback = [];
    this.queue = [];
    this.current = null;
    this.decisions = 0;
    this.lastPlanT = 0;
    this.holdUntil = -Infinity;
    this.heldAction = this.zero;
    this.stepsSinceDecision = 0;
    this.collided = new Set();
    this.abort = null;
    this.reason = '';
  }

  async act(obs: Observation, last?: StepInfo): Promise<ActResult> {
    if (this.abort) throw new Error(this.abort);
    this.noteCollisions(obs, last);
    const turn: Turn = { failures: [], exchange: null, thinkMs: 0 };
    const action = this.config.mode === 'skills' ? await this.actSkills(obs, turn) : await this.actDirect(obs, turn);
    const info: PlannerInfo = {};
    if (this.current) info.skill = { name: this.current.name, args: this.current.args, status: 'running' };
    if (turn.exchange) info.llm = turn.exchange;
    if (turn.failures.length) info.failures = turn.failures;
    info.intent = this.intent(turn);
    // Replayed latencies are charged as recorded so that --clock realtime replays bit for bit.
    return this.cassette ? { action, info, thinkMs: turn.thinkMs } : { action, info };
  }

  episodeStats(): Record<string, number> {
    return { ...this.stats.toRecord(), ...this.provider.runtimeStats?.() };
  }

  /** Which model answered this episode: the name asked for, what the server said it was and its
   * configuration digest (`system_fingerprint`), and an embedded model's file and SHA-256. */
  episodeMeta(): Record<string, string> {
    const p = this.provenance();
    const join = (s: Set<string>) => [...s].sort().join(', ');
    return {
      llmProvider: p.provider,
      llmModel: p.model,
      ...(this.reported.models.size > 0 ? { llmModelReported: join(this.reported.models) } : {}),
      ...(this.reported.fingerprints.size > 0 ? { llmFingerprint: join(this.reported.fingerprints) } : {}),
      ...(p.modelFile ? { llmModelFile: p.modelFile } : {}),
      ...(p.modelSha256 ? { llmModelSha256: p.modelSha256 } : {}),
    };
  }

  /** This step in a sentence: the model's decision and its stated reason, or the plan step it is
   * carrying out, or why it holds still. */
  private intent(turn: Turn): string {
    const why = (r: string | undefined) => (r ? ` — "${r.length > 160 ? `${r.slice(0, 157)}…` : r}"` : '');
    const ex = turn.exchange;
    if (ex && ex.validation !== 'ok') {
      const f = turn.failures[turn.failures.length - 1];
      const what = f ? `${failureLabel(f.category, f.detail)}: ${f.detail}` : ex.validation;
      return this.abort ? sentence(`the LLM could not be used (${what}); the episode ends`) : sentence(`the LLM's reply could not be used (${what}); holding still and asking again`);
    }
    if (ex?.plan) {
      this.reason = ex.reasoning ?? '';
      if (ex.plan.length === 0) return sentence(`the LLM chose to wait${why(this.reason)}`);
      const [first, ...rest] = ex.plan;
      return sentence(`the LLM plans to ${describeCall(first.skill, first.args)}${rest.length ? `, then ${rest.length} more step${rest.length === 1 ? '' : 's'}` : ''}${why(this.reason)}`);
    }
    if (ex?.action) {
      this.reason = ex.reasoning ?? '';
      return sentence(`the LLM chose the action [${ex.action.map((v) => v.toFixed(2)).join(', ')}]${why(this.reason)}`);
    }
    if (this.current) {
      const left = this.queue.length;
      return sentence(`carrying out the LLM's plan: ${describeCall(this.current.name, this.current.args)}${left ? ` (${left} more step${left === 1 ? '' : 's'} after this)` : ''}${why(this.reason)}`);
    }
    if (this.config.mode === 'direct' && this.stepsSinceDecision > 0) return sentence(`holding the LLM's last action until its next decision${why(this.reason)}`);
    if (turn.failures.length) {
      const f = turn.failures[turn.failures.length - 1];
      return sentence(`${failureLabel(f.category, f.detail)}: ${f.detail}; holding still until the LLM plans again`);
    }
    return sentence('holding still until the LLM is asked again');
  }

  /**
   * What answers this planner, for the run manifest: the provider, the model name, and for an
   * embedded model its file and SHA-256 (known for catalog models, whose pull verified it; other
   * files are not hashed here, a GB takes seconds).
   */
  provenance(): { provider: string; model: string; modelFile: string | null; modelSha256: string | null } {
    const file = this.config.replay ? null : this.config.gguf;
    return { provider: this.provider.describe, model: this.model, modelFile: file, modelSha256: file ? catalogSha256(file) : null };
  }

  async dispose(): Promise<void> {
    await this.provider.dispose?.();
  }

  // Skills mode

  private async actSkills(obs: Observation, turn: Turn): Promise<Action> {
    const every = this.config.replanEvery;
    if (this.current && every > 0 && obs.t - this.lastPlanT >= every - 1e-9) {
      this.note(obs, `${callText(this.current)} interrupted for a scheduled re-plan`);
      this.current = null;
      this.queue = [];
    }
    let asked = false;
    for (;;) {
      if (!this.current && this.queue.length > 0) this.startNext(obs, turn);
      if (this.current) {
        const step = this.current.step(obs);
        if (step.status === 'running') return step.action;
        this.finish(obs, step);
        continue;
      }
      if (asked) {
        // The whole plan finished on the step it was made (e.g. "stop" while at rest): asking
        // again at once would spend a call per control step on the same answer.
        this.holdUntil = obs.t + Math.max(1, every);
        return this.zero;
      }
      if (obs.t < this.holdUntil) return this.zero;
      // Success is a held state (sim/predicates.ts): with the plan done and the subject inside the
      // tolerance, stand still and let the goal count instead of asking again; if something moves
      // the subject out, the next step asks.
      if (goalStatus(obs) === 'reached') return this.zero;
      asked = true;
      const plan = await this.decide(obs, turn, (reply) => validateSkillPlan(reply, this.skills, obs));
      if (!plan) return this.zero;
      this.lastPlanT = obs.t;
      if (plan.length === 0) {
        // The model chose to wait: do not ask again on the very next step.
        this.holdUntil = obs.t + Math.max(1, every);
        this.note(obs, 'you chose to wait (empty plan)');
        return this.zero;
      }
      this.queue = plan;
    }
  }

  private startNext(obs: Observation, turn: Turn): void {
    const call = this.queue.shift()!;
    try {
      this.current = call.spec.create(call.args, obs);
      this.stats.skillsStarted++;
      this.collided.clear();
    } catch (e) {
      // Valid when planned, invalid now (the scene moved on): the rest of the plan is void.
      const category = e instanceof SkillArgError ? e.kind : 'invalid_action';
      const detail = `${call.spec.name} could not start: ${(e as Error).message}`;
      turn.failures.push({ category, detail });
      this.stats.skillsFailed++;
      this.feedback.push(`${detail}.`);
      this.note(obs, detail);
      this.queue = [];
    }
  }

  private finish(obs: Observation, step: SkillStep): void {
    const skill = this.current!;
    this.current = null;
    if (step.status === 'failed') {
      this.stats.skillsFailed++;
      // Skills phrase reasons as "push failed: ..."; say "failed" once.
      const why = (step.reason ?? 'no reason given').replace(new RegExp(`^${skill.name} failed:\\s*`), '');
      this.feedback.push(`${callText(skill)} failed: ${why}.`);
      this.note(obs, `${callText(skill)} failed: ${why}`);
      this.queue = []; // later steps assumed this one worked
    } else {
      this.note(obs, `${callText(skill)} done${step.reason ? `: ${step.reason}` : ''}`);
      if (this.queue.length === 0) this.feedback.push(`Your plan is complete; the goal is ${goalStatus(obs)}.`);
    }
  }

  // Direct mode

  private async actDirect(obs: Observation, turn: Turn): Promise<Action> {
    if (this.stepsSinceDecision > 0 && this.stepsSinceDecision < this.config.replanEvery) {
      this.stepsSinceDecision++;
      return this.heldAction;
    }
    const action = await this.decide(obs, turn, (reply) => validateDirectAction(reply, this.task.actionSpace));
    if (!action) {
      this.stepsSinceDecision = 0; // hold still, ask again next step
      return this.zero;
    }
    this.heldAction = action;
    this.stepsSinceDecision = 1;
    this.note(obs, `action [${action.map((v) => v.toFixed(2)).join(', ')}] at (${obs.robot.pose.x.toFixed(2)}, ${obs.robot.pose.y.toFixed(2)})`);
    return action;
  }

  // One decision: ask, validate, correct

  private async decide<T>(obs: Observation, turn: Turn, validate: (reply: string) => Validated<T>): Promise<T | null> {
    const n = ++this.decisions;
    this.stats.decisions++;
    let messages = this.builder.messages(obs, this.history, this.feedback);
    this.feedback = [];
    const ex: Exchange = { decision: n, messages, response: null, validation: '', usage: { in: 0, out: 0, estimated: false }, latencyMs: 0, calls: 0 };
    turn.exchange = ex;
    let lastReason = '';
    for (let attempt = 0; attempt < this.config.maxAttempts; attempt++) {
      const res = await this.call(messages, `${this.task.scenarioId} seed ${this.seed} decision ${n}${attempt ? ` correction ${attempt}` : ''}`, turn, ex);
      if (!res) return null;
      ex.messages = messages;
      ex.response = res.content;
      const v = validate(res.content);
      if (v.ok) {
        ex.validation = 'ok';
        if (v.reasoning) ex.reasoning = v.reasoning;
        if (Array.isArray(v.value) && this.config.mode === 'skills') ex.plan = (v.value as SkillCall[]).map((c) => ({ skill: c.spec.name, args: c.args }));
        else ex.action = v.value as number[];
        if (v.reasoning) this.note(obs, `you reasoned: ${v.reasoning.slice(0, 200)}`);
        return v.value;
      }
      const reason = res.truncated ? `${v.reason} (your reply was cut off at ${this.config.maxTokens} tokens: answer more briefly)` : v.reason;
      ex.validation = `${v.category}: ${reason}`;
      lastReason = reason;
      turn.failures.push({ category: v.category, detail: reason });
      this.stats.invalidOutputs++;
      if (this.stats.invalidOutputs > this.config.maxInvalid) {
        this.abort = `${v.category}: gave up after ${this.stats.invalidOutputs} invalid LLM outputs (--set llmMaxInvalid=${this.config.maxInvalid}); last: ${reason}`;
        return null;
      }
      messages = [...messages, { role: 'assistant', content: res.content }, this.builder.correction(reason)];
    }
    this.feedback.push(`Your previous answers could not be used (last: ${lastReason}); the robot held still.`);
    return null;
  }

  private async call(messages: ChatMessage[], label: string, turn: Turn, ex: Exchange): Promise<ChatResult | null> {
    if (this.cassette) this.cassette.label = label;
    try {
      const res = await this.provider.complete({
        model: this.model,
        messages,
        temperature: this.config.temperature,
        maxTokens: this.config.maxTokens,
        seed: this.seed,
        schema: this.schema,
      });
      this.stats.call(res, this.prices.cost(this.model, res.usage.promptTokens, res.usage.completionTokens));
      if (res.reportedModel) this.reported.models.add(res.reportedModel);
      if (res.fingerprint) this.reported.fingerprints.add(res.fingerprint);
      turn.thinkMs += res.latencyMs;
      ex.calls++;
      ex.latencyMs += res.latencyMs;
      ex.usage = { in: ex.usage.in + res.usage.promptTokens, out: ex.usage.out + res.usage.completionTokens, estimated: ex.usage.estimated || res.usage.estimated };
      return res;
    } catch (e) {
      if (!(e instanceof LlmCallError)) throw e; // cassette misses and bugs end the episode loudly
      this.stats.failedCalls++;
      turn.failures.push({ category: e.category, detail: e.message });
      ex.validation = `${e.category}: ${e.message}`;
      this.abort = `${e.category}: ${e.message}`;
      return null;
    }
  }

  private noteCollisions(obs: Observation, last?: StepInfo): void {
    for (const ev of last?.events ?? []) {
      if (ev.type !== 'collision' || !isRobotPart(ev.a) || isRobotPart(ev.b) || this.collided.has(ev.b)) continue;
      // Touching the object a skill is pushing is the skill working, not news.
      if (this.current && Object.values(this.current.args).includes(ev.b)) continue;
      this.collided.add(ev.b);
      const what = this.current ? ` during ${callText(this.current)}` : '';
      const text = `the robot hit ${ev.b} at (${obs.robot.pose.x.toFixed(2)}, ${obs.robot.pose.y.toFixed(2)})${what}`;
      this.note(obs, text);
      this.feedback.push(`Collision: ${text}.`);
    }
  }

  private note(obs: Observation, text: string): void {
    this.history.push({ t: obs.t, text });
    // Only the last few lines reach the prompt; keep a bounded tail.
    if (this.history.length > 4 * Math.max(1, this.config.history)) this.history.splice(0, this.history.length - 2 * Math.max(1, this.config.history));
  }
}

interface Turn {
  failures: Failure[];
  exchange: Exchange | null;
  thinkMs: number;
}

function callText(skill: Skill): string {
  const args = Object.entries(skill.args)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toFixed(2)) : JSON.stringify(v)}`)
    .join(', ');
  return `${skill.name}(${args})`;
}

function goalStatus(obs: Observation): string {
  const g = obs.goal;
  let p: number[];
  if (g.type === 'push') {
    const o = obs.objects.find((x) => x.id === g.object);
    p = o ? [o.x, o.y] : [NaN, NaN];
  } else if (g.type === 'ee_reach') {
    const ee = obs.robot.ee;
    p = ee ? [ee.x, ee.y, ee.z] : [NaN, NaN, NaN];
  } else {
    p = [obs.robot.pose.x, obs.robot.pose.y];
  }
  const d = Math.hypot(...g.position.map((v, i) => v - (p[i] ?? 0)));
  return d <= g.tolerance ? 'reached' : `not reached yet (${d.toFixed(2)} m away, tolerance ${g.tolerance.toFixed(2)} m)`;
}

export const factory: PlannerFactory = {
  name: 'llm',
  description: 'LLM-prompted planner over an OpenAI-compatible API or an embedded GGUF model (llama.cpp; skills or direct control)',
  // A live model is not reproducible; a replayed cassette is, and the tests check that.
  deterministic: false,
  observes: () => ({ reads: 'robot state, goal, objects, recent events (collisions) as text; the instruction' }),
  unavailable(opts: PlannerOptions): string | null {
    return whyNoLlm(opts.config);
  },
  inputs(opts: PlannerOptions): Record<string, readonly string[]> {
    const cfg = resolveLlmConfig(opts.config);
    return {
      prompts: [cfg.prompts ?? DEFAULT_PROMPTS_DIR],
      prices: [cfg.prices ?? DEFAULT_PRICES],
      // A replayed cassette is an input; a recorded one is an output.
      ...(cfg.replay && cfg.cassette ? { cassette: [cfg.cassette] } : {}),
      // An embedded model: its verified catalog hash, else the file's content (hashed once per run).
      ...(cfg.gguf && !cfg.replay ? { model: [catalogSha256(cfg.gguf) ? `sha256:${catalogSha256(cfg.gguf)}` : cfg.gguf] } : {}),
    };
  },
  async preflight(opts: PlannerOptions, robots: readonly RobotType[]): Promise<void> {
    const cfg = resolveLlmConfig(opts.config);
    // What create() would read, minus the connection: the cassette to replay, prompts, prices.
    if (cfg.cassette && cfg.replay) Cassette.open(cfg.cassette, 'replay');
    PromptTemplates.load(cfg.prompts ?? DEFAULT_PROMPTS_DIR);
    PriceTable.load(cfg.prices ?? undefined);
    if (cfg.mode === 'skills') {
      for (const robot of robots) {
        if (skillsFor(robot).length === 0) throw new UserError('E_LLM_CONFIG', `--llm-mode skills: no skills exist for the ${robot} robot; use --llm-mode direct.`);
      }
    }
  },
  async create(opts: PlannerOptions): Promise<Planner> {
    const cfg = resolveLlmConfig(opts.config);
    const { provider, model } = await connectProvider(cfg);
    const templates = PromptTemplates.load(cfg.prompts ?? DEFAULT_PROMPTS_DIR);
    const prices = PriceTable.load(cfg.prices ?? undefined);
    return new LlmPlanner(cfg, provider, model, templates, prices);
  },
};

/** The task as the model is told it: the instruction, plus the scenario's strategy hint only
 * with --llm-hints (an ablation; instructions alone state what, never how). */
export function withHint(task: TaskSpec, hints: boolean): TaskSpec {
  const hint = task.hint;
  return hints && hint ? { ...task, instruction: `${task.instruction}\nHint: ${hint}` } : task;
}
