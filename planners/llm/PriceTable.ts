/**
 * Cost estimates from a price table: USD per million tokens by model name (exact match, then the
 * longest matching prefix, so "gpt-4o-mini-2024-07-18" finds "gpt-4o-mini"). The default table
 * is `planners/llm/prices.json`; `--set llmPrices=FILE` replaces it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../core/errors.ts';

export const DEFAULT_PRICES = fileURLToPath(new URL('./prices.json', import.meta.url));

export interface Price {
  /** USD per million prompt tokens. */
  input: number;
  /** USD per million completion tokens. */
  output: number;
}

export class PriceTable {
  private constructor(private readonly models: Record<string, Price>) {}

  static load(path: string = DEFAULT_PRICES): PriceTable {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new UserError('E_LLM_PRICES', `price table ${path}: ${(e as Error).message.split('\n')[0]}`);
    }
    const models = (json as { models?: unknown }).models;
    if (typeof models !== 'object' || models === null) {
      throw new UserError('E_LLM_PRICES', `price table ${path}: expected {"models": {"<model>": {"input": USD per 1M tokens, "output": USD per 1M tokens}}}`);
    }
    for (const [name, p] of Object.entries(models as Record<string, Partial<Price>>)) {
      for (const k of ['input', 'output'] as const) {
        const v = p?.[k];
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
          throw new UserError('E_LLM_PRICES', `price table ${path}: models.${name}.${k} must be a number >= 0 (USD per million tokens)`);
        }
      }
    }
    return new PriceTable(models as Record<string, Price>);
  }

  /** The price of `model`, or null when the table does not know it. */
  priceOf(model: string): Price | null {
    if (this.models[model]) return this.models[model];
    let best: string | null = null;
    for (const name of Object.keys(this.models)) if (model.startsWith(name) && (!best || name.length > best.length)) best = name;
    return best ? this.models[best] : null;
  }

  /** USD for one call; 0 for unknown models. */
  cost(model: string, promptTokens: number, completionTokens: number): number {
    const p = this.priceOf(model);
    return p ? (promptTokens * p.input + completionTokens * p.output) / 1e6 : 0;
  }
}
