/**
 * A scripted OpenAI-compatible Chat Completions server for tests: real `node:http` on 127.0.0.1,
 * real `/v1/chat/completions` JSON (with `usage`). Each test queues the replies it wants; when
 * the queue is empty the `fallback` answers (by default a competent scripted policy that reads
 * the scene JSON from the prompt). It records every request, headers included, so a test can
 * check that the API key was sent and appears in no output.
 *
 * This is the one stand-in allowed in the test suite: it replaces a language model, not a part
 * of planarena.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply =
  /** A normal completion with this text. `usage: null` leaves usage out (token estimate path). */
  | { kind: 'content'; content: string; delayMs?: number; usage?: { prompt_tokens: number; completion_tokens: number } | null; finishReason?: 'stop' | 'length' }
  /** An HTTP error status with optional headers (e.g. Retry-After) and body. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Accepts the request and closes the socket without answering. */
  | { kind: 'hangup' };

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: {
    model: string;
    messages: { role: string; content: string }[];
    temperature?: number;
    max_tokens?: number;
    seed?: number;
    response_format?: { type: string; json_schema?: { name: string; schema: unknown } };
  };
}

export interface ServerOptions {
  /** Reject any `response_format` of these types with a 400, like servers that lack them. */
  rejectFormats?: string[];
  fallback?: (req: ReceivedRequest) => Reply;
  /**
   * A careless server: quotes the request's Authorization header back in every answer, in every
   * form a real one has been seen to (as sent, lower- and upper-cased, the key alone, base64 of
   * the key, of the header and of HTTP Basic `user:key`, percent-encoded): inside the reply's
   * text (JSON replies keep parsing: it goes into their "reasoning"), in extra JSON fields, in
   * response headers and in error bodies.
   */
  echoAuthorization?: boolean;
}

/** Every form in which {@link ServerOptions.echoAuthorization} quotes an Authorization header. */
export function echoForms(authorization: string): string[] {
  const key = authorization.replace(/^Bearer\s+/i, '');
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return [
    authorization,
    authorization.toLowerCase(),
    authorization.toUpperCase(),
    key,
    b64(key),
    b64(authorization),
    `Basic ${b64(`user:${key}`)}`,
    Buffer.from(`apikey:${key}`).toString('base64url'),
    encodeURIComponent(`token=${key}&x=1`),
  ];
}

function echoText(headers: IncomingHttpHeaders): string {
  const auth = headers.authorization;
  return auth ? ` [debug: you sent ${echoForms(auth).join(' | ')}]` : '';
}

export interface ScriptedLlmServer {
  /** Base URL to pass as --llm-url, ending in /v1. */
  url: string;
  requests: ReceivedRequest[];
  /** Most requests that were open at the same time (for concurrency-limit tests). */
  readonly maxConcurrent: number;
  /** Queues replies, answered in order before the fallback. */
  push(...replies: Reply[]): void;
  close(): Promise<void>;
}

export async function startLlmServer(opts: ServerOptions = {}): Promise<ScriptedLlmServer> {
  const queue: Reply[] = [];
  const requests: ReceivedRequest[] = [];
  const fallback = opts.fallback ?? competentPolicy;
  let open = 0;
  let maxConcurrent = 0;
  const server: Server = createServer((req, res) => {
    open++;
    maxConcurrent = Math.max(maxConcurrent, open);
    res.on('close', () => open--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
        return;
      }
      let body: ReceivedRequest['body'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        send(res, 400, { error: { message: 'body is not JSON' } });
        return;
      }
      const received = { headers: req.headers, body };
      requests.push(received);
      const fmt = body.response_format?.type;
      if (fmt && opts.rejectFormats?.includes(fmt)) {
        send(res, 400, { error: { message: `response_format type "${fmt}" is not supported` } });
        return;
      }
      const reply = queue.shift() ?? fallback(received);
      answer(res, opts.echoAuthorization ? withEcho(reply, echoText(req.headers)) : reply, body, opts.echoAuthorization ? echoText(req.headers) : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    get maxConcurrent() {
      return maxConcurrent;
    },
    push: (...r) => queue.push(...r),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The reply with `echo` worked into its text (JSON replies: into "reasoning", so they still parse). */
function withEcho(reply: Reply, echo: string): Reply {
  if (!echo) return reply;
  if (reply.kind === 'status') return { ...reply, body: JSON.stringify({ error: { message: `scripted HTTP ${reply.status}${echo}` } }) };
  if (reply.kind !== 'content') return reply;
  try {
    const value = JSON.parse(reply.content) as Record<string, unknown>;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return { ...reply, content: JSON.stringify({ ...value, reasoning: `${String(value.reasoning ?? '')}${echo}` }) };
    }
  } catch {
    // Not JSON: the echo goes at the end of the text.
  }
  return { ...reply, content: `${reply.content}${echo}` };
}

function answer(res: ServerResponse, reply: Reply, body: ReceivedRequest['body'], echo = ''): void {
  if (reply.kind === 'hangup') {
    res.socket?.destroy();
    return;
  }
  if (reply.kind === 'status') {
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers, ...(echo ? { 'x-debug-echo': Buffer.from(echo).toString('base64') } : {}) });
    res.end(reply.body ?? JSON.stringify({ error: { message: `scripted HTTP ${reply.status}` } }));
    return;
  }
  const promptChars = body.messages.reduce((n, m) => n + m.content.length, 0);
  const usage = reply.usage === undefined ? { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: Math.ceil(reply.content.length / 4) } : reply.usage;
  const payload: Record<string, unknown> = {
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: 0,
    model: body.model,
    choices: [{ index: 0, message: { role: 'assistant', content: reply.content }, finish_reason: reply.finishReason ?? 'stop' }],
  };
  if (usage) payload.usage = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
  if (echo) payload.system_fingerprint = echo;
  const timer = setTimeout(() => {
    if (!res.destroyed) send(res, 200, payload);
  }, reply.delayMs ?? 0);
  res.on('close', () => clearTimeout(timer));
}

function send(res: ServerResponse, status: number, json: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(json));
}

/** A URL on 127.0.0.1 where nothing listens (a port bound, then released). */
export async function closedPortUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

// Reply builders for the failure modes the planner must survive.
export const replies = {
  json: (value: unknown, extra: Partial<Extract<Reply, { kind: 'content' }>> = {}): Reply => ({ kind: 'content', content: JSON.stringify(value), ...extra }),
  prose: (value: unknown): Reply => ({ kind: 'content', content: `Sure! Looking at the scene, here is my plan:\n${JSON.stringify(value)}\nLet me know how it goes.` }),
  fenced: (value: unknown): Reply => ({ kind: 'content', content: `Plan below.\n\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\`\n` }),
  malformed: (): Reply => ({ kind: 'content', content: '{"reasoning": "go to the goal", "plan": [{"skill": "move_to", "args": {"x": 1.0, "y": ' }),
  /** A reply cut off by the token limit, as servers report it. */
  truncated: (): Reply => ({ kind: 'content', content: '{"reasoning": "first I will consider every object in turn, starting with', finishReason: 'length' }),
  text: (content: string): Reply => ({ kind: 'content', content }),
  rateLimited: (retryAfterSeconds: number): Reply => ({ kind: 'status', status: 429, headers: { 'retry-after': String(retryAfterSeconds) } }),
  serverError: (status = 500): Reply => ({ kind: 'status', status }),
  slow: (delayMs: number, value: unknown): Reply => ({ kind: 'content', content: JSON.stringify(value), delayMs }),
  hangup: (): Reply => ({ kind: 'hangup' }),
};

/** The scene JSON block the planner's prompt carries (see planners/llm/prompts). */
export interface PromptScene {
  robot: { type: string; x: number; y: number; yaw_deg: number };
  goal: { type: string; position: number[]; tolerance: number; object?: string };
  objects: { id: string; kind: string; x: number; y: number }[];
  action_names?: string[];
}

/** Reads the scene JSON from the latest user message that has one (corrections do not). */
export function sceneOf(req: ReceivedRequest): PromptScene | null {
  for (const msg of [...req.body.messages].reverse()) {
    const m = msg.role === 'user' ? msg.content.match(/Scene JSON: (\{.*\})/) : null;
    if (m) return JSON.parse(m[1]) as PromptScene;
  }
  return null;
}

/**
 * A competent scripted policy, standing in for a good LLM: in skills mode it plans the obvious
 * skill for the goal (move_to for reach, push for push); in direct mode it steers a differential
 * drive at the goal. It is a test fixture, not a language model.
 */
export function competentPolicy(req: ReceivedRequest): Reply {
  const scene = sceneOf(req);
  if (!scene) return replies.text('I cannot see a scene.');
  const direct = req.body.messages.some((m) => m.role === 'system' && m.content.includes('"action"'));
  const g = scene.goal;
  if (direct) {
    // Turn on the spot towards the goal, then drive, sized to the time the action is held.
    const system = req.body.messages.find((m) => m.role === 'system')?.content ?? '';
    const hold = Number(system.match(/\(([\d.]+) s of simulated time\)/)?.[1] ?? 1);
    const dx = g.position[0] - scene.robot.x;
    const dy = g.position[1] - scene.robot.y;
    const err = wrapDeg((Math.atan2(dy, dx) * 180) / Math.PI - scene.robot.yaw_deg);
    const turn = clamp((err * Math.PI) / 180 / (2.9 * hold));
    const fwd = Math.abs(err) > 25 ? 0 : clamp(Math.hypot(dx, dy) / (1.2 * hold));
    return replies.json({ reasoning: `heading error ${err.toFixed(0)} deg`, action: [round(clamp(fwd - turn)), round(clamp(fwd + turn))] });
  }
  const arm = scene.robot.type === 'arm';
  const [x, y, z] = g.position;
  const step =
    g.type === 'ee_reach'
      ? { skill: 'reach', args: { x, y, z } }
      : g.type === 'push' && g.object
        ? { skill: arm ? 'arm_push' : 'push', args: { object_id: g.object, x, y } }
        : { skill: 'move_to', args: { x, y } };
  return replies.json({ reasoning: `the goal is at (${g.position[0]}, ${g.position[1]})`, plan: [step] });
}

function wrapDeg(a: number): number {
  return ((((a + 180) % 360) + 360) % 360) - 180;
}
function clamp(v: number): number {
  return Math.max(-1, Math.min(1, v));
}
function round(v: number): number {
  return Math.round(v * 100) / 100;
}
