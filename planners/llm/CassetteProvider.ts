/**
 * A `ChatProvider` in front of a cassette: replay answers from the file only; record answers from
 * the file when it can and from the live provider otherwise, storing what it gets. One per
 * planner instance, because occurrences are counted per episode.
 */
import { RunAbort } from '../../core/errors.ts';
import { LlmCallError, type ChatProvider, type ChatRequest, type ChatResult } from './ChatProvider.ts';
import { Cassette, requestKey, roundLatency } from './Cassette.ts';

export class CassetteProvider implements ChatProvider {
  readonly describe: string;
  private occurrences = new Map<string, number>();
  /** Label of the decision about to ask, set by the planner so misses and entries name it. */
  label = '';

  constructor(
    readonly cassette: Cassette,
    readonly mode: 'record' | 'replay',
    private readonly live: ChatProvider | null,
  ) {
    this.describe = `${mode} ${cassette.path}${live ? ` via ${live.describe}` : ''}`;
  }

  /** Starts counting occurrences afresh: a new episode. */
  beginEpisode(): void {
    this.occurrences = new Map();
  }

  async complete(req: ChatRequest): Promise<ChatResult> {
    const base = requestKey(req, 0);
    const occurrence = this.occurrences.get(base) ?? 0;
    this.occurrences.set(base, occurrence + 1);
    const key = occurrence === 0 ? base : requestKey(req, occurrence);
    const hit = this.cassette.get(key);
    if (hit) {
      const err = hit.response.error;
      if (err) throw new LlmCallError(err.kind, err.message, err.status);
      const truncated = hit.response.truncated ? { truncated: true } : {};
      return { content: hit.response.content, usage: { ...hit.response.usage }, latencyMs: hit.latencyMs, attempts: 1, replayed: true, ...truncated };
    }
    if (this.mode === 'replay' || !this.live) {
      // Not a per-episode failure: an answer missing from a replay means the run would measure
      // something other than what was recorded, so the run stops here.
      throw new RunAbort(
        'E_LLM_CASSETTE_MISS',
        `--llm-replay: ${this.cassette.path} has no reply for ${this.label || 'this decision'} (model ${req.model}, key ${key.slice(0, 12)}). ` +
          'The prompt, scenario, model or parameters differ from the recording: record again with --llm-record --llm-url URL.',
      );
    }
    const request = { messages: req.messages, temperature: req.temperature, maxTokens: req.maxTokens, seed: req.seed, schema: req.schema?.name };
    const entry = { model: req.model, label: this.label, occurrence, request };
    let res: ChatResult;
    try {
      res = await this.live.complete(req);
    } catch (e) {
      if (e instanceof LlmCallError) {
        const usage = { promptTokens: 0, completionTokens: 0, estimated: true };
        this.cassette.put(key, { ...entry, response: { content: '', usage, error: { kind: e.kind, message: e.message, status: e.status } }, latencyMs: 0 });
      }
      throw e;
    }
    const latencyMs = roundLatency(res.latencyMs);
    this.cassette.put(key, { ...entry, response: { content: res.content, usage: res.usage, ...(res.truncated ? { truncated: true } : {}) }, latencyMs });
    return { ...res, latencyMs };
  }

  runtimeStats(): Record<string, number> {
    return this.live?.runtimeStats?.() ?? {};
  }

  async dispose(): Promise<void> {
    await this.cassette.save();
    await this.live?.dispose?.();
  }
}
