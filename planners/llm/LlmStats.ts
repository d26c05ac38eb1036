/**
 * Per-episode accounting of the LLM planner: calls, tokens, latency, cost, invalid outputs,
 * skills, and for an embedded model its prompt and generation speed. `toRecord()` is what `episodeStats()` returns, merged by the runner into
 * `EpisodeRecord.plannerStats` (failure categories travel separately, per decision, in
 * `info.failures`, and the runner counts them into `failureCategories`).
 */
import type { ChatResult } from './ChatProvider.ts';

export class LlmStats {
  decisions = 0;
  calls = 0;
  /** Calls that ended without a reply (timeouts, server errors, after retries). */
  failedCalls = 0;
  /** HTTP attempts beyond the first, over all calls. */
  retries = 0;
  tokensIn = 0;
  tokensOut = 0;
  /** Calls whose token counts were estimated (the server sent no usage). */
  estimatedCalls = 0;
  replayedCalls = 0;
  latencyMsTotal = 0;
  latencyMsMax = 0;
  costUsd = 0;
  invalidOutputs = 0;
  skillsStarted = 0;
  skillsFailed = 0;
  /** Embedded-runtime timings, summed over the calls that had them. */
  private runtimeCalls = 0;
  private evaluatedPromptTokens = 0;
  private promptMs = 0;
  private generatedTokens = 0;
  private generationMs = 0;
  constructor(private readonly costKnown: boolean) {}

  call(res: ChatResult, cost: number): void {
    this.calls++;
    this.retries += res.attempts - 1;
    this.tokensIn += res.usage.promptTokens;
    this.tokensOut += res.usage.completionTokens;
    if (res.usage.estimated) this.estimatedCalls++;
    if (res.replayed) this.replayedCalls++;
    this.latencyMsTotal += res.latencyMs;
    this.latencyMsMax = Math.max(this.latencyMsMax, res.latencyMs);
    this.costUsd += cost;
    if (res.runtime) {
      this.runtimeCalls++;
      this.evaluatedPromptTokens += res.runtime.evaluatedPromptTokens;
      this.promptMs += res.runtime.promptMs;
      // The first token comes with the prompt evaluation; the rest are the generation proper.
      this.generatedTokens += Math.max(0, res.usage.completionTokens - 1);
      this.generationMs += res.runtime.generationMs;
    }
  }

  toRecord(): Record<string, number> {
    const out: Record<string, number> = {
      llmDecisions: this.decisions,
      llmCalls: this.calls,
      llmFailedCalls: this.failedCalls,
      llmRetries: this.retries,
      llmTokensIn: this.tokensIn,
      llmTokensOut: this.tokensOut,
      llmEstimatedTokenCalls: this.estimatedCalls,
      llmReplayedCalls: this.replayedCalls,
      llmLatencyMsTotal: round(this.latencyMsTotal),
      llmLatencyMsMean: this.calls ? round(this.latencyMsTotal / this.calls) : 0,
      llmLatencyMsMax: round(this.latencyMsMax),
      llmCostUsd: this.costUsd,
      llmCostKnown: this.costKnown ? 1 : 0,
      llmInvalidOutputs: this.invalidOutputs,
      llmSkillsStarted: this.skillsStarted,
      llmSkillsFailed: this.skillsFailed,
    };
    if (this.runtimeCalls > 0) {
      // Throughput of the embedded model this episode (tokens per second of wall time).
      out.llmPromptTokensPerS = this.promptMs > 0 ? round((this.evaluatedPromptTokens * 1000) / this.promptMs) : 0;
      out.llmGenTokensPerS = this.generationMs > 0 ? round((this.generatedTokens * 1000) / this.generationMs) : 0;
    }
    return out;
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
