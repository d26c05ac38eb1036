/**
 * Finds the JSON value in a model's reply. Models asked for JSON still wrap it in prose
 * ("Sure! Here is the plan: {...}") or Markdown fences, so we try, in order: the whole reply,
 * each fenced block, then each balanced {...} or [...] span (string-aware), and take the first
 * that parses, after dropping <think>...</think> blocks. The error text is sent back to the model,
 * so it says what to fix.
 */

export type Extracted = { ok: true; value: unknown; how: 'whole' | 'fence' | 'embedded' } | { ok: false; error: string };

const FENCE = /```[a-zA-Z0-9_-]*[ \t]*\r?\n?([\s\S]*?)```/g;

/** Reasoning models (DeepSeek-R1, Qwen3 via Ollama or llama.cpp) think aloud in <think> tags
 * before answering; their musings may hold braces that are not the answer. */
const THINK = /<think>[\s\S]*?(<\/think>|$)/gi;

export function extractJson(reply: string): Extracted {
  const text = reply.replace(THINK, '').trim();
  if (text === '') return { ok: false, error: 'the reply was empty; answer with one JSON object' };
  const whole = tryParse(text);
  if (whole.ok) return { ok: true, value: whole.value, how: 'whole' };
  let firstError = whole.error;

  for (const m of text.matchAll(FENCE)) {
    const r = tryParse(m[1].trim());
    if (r.ok) return { ok: true, value: r.value, how: 'fence' };
  }
  for (const span of balancedSpans(text)) {
    const r = tryParse(span);
    if (r.ok) return { ok: true, value: r.value, how: 'embedded' };
    firstError = r.error;
  }
  const hasBrace = /[{[]/.test(text);
  return {
    ok: false,
    error: hasBrace ? `the reply contains no valid JSON (${firstError})` : 'the reply contains no JSON object; answer with one JSON object and nothing else',
  };
}

function tryParse(s: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(s) };
  } catch (e) {
    return { ok: false, error: (e as Error).message.split('\n')[0] };
  }
}

/** Top-level balanced {...} and [...] spans, outermost first, skipping brackets inside strings.
 * An unbalanced tail (a reply cut off by max_tokens) yields nothing. */
function* balancedSpans(text: string): Generator<string> {
  for (let start = 0; start < text.length; start++) {
    const open = text[start];
    if (open !== '{' && open !== '[') continue;
    const end = matchingClose(text, start);
    if (end > 0) {
      yield text.slice(start, end + 1);
      if (open === '{') start = end; // objects are what we ask for: skip their insides
    }
  }
}

function matchingClose(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') stack.push('}');
    else if (c === '[') stack.push(']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}
