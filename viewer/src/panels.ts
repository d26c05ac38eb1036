/**
 * Side panels: per shown episode, how it stands and, first, what its planner intends at the
 * playhead in one plain sentence (`info.intent`), then the details for those who want them
 * (skill, LLM exchange with prompt excerpt, response, parsed plan and validation; world-model
 * imagined futures with costs); and the scoreboard. Text from planners (LLM output) is inserted
 * as text, never as HTML.
 */
import { failureLabel } from '../../core/failureWords.ts';
import type { EpisodeRecord } from '../../core/records.ts';
import { summarize } from '../../core/summary.ts';
import { chosenRollout, outcomeWords, type Episode } from './Episode.ts';
import { PLANNER_COLORS } from './Stage.ts';

/** Tiny DOM builder: children are nodes or text. */
export function h(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string | null | undefined)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

/** `info.llm` as the LLM planner writes it (planners/llm/LlmPlanner.ts, `Exchange`). */
interface LlmInfo {
  decision?: number;
  messages?: { role?: string; content?: unknown }[];
  response?: unknown;
  /** Skills mode: the parsed plan. */
  plan?: unknown;
  /** Direct mode: the parsed action. */
  action?: unknown;
  /** "ok", or "<category>: <reason>". */
  validation?: unknown;
  /** The model's stated reason. */
  reasoning?: unknown;
  usage?: { in?: number; out?: number };
  latencyMs?: number;
  calls?: number;
}

const EXCERPT = 700;

/** Rebuilds the decision panel for time `t`; cheap enough to call on every step change. */
export function renderDecisions(root: HTMLElement, episodes: Episode[], t: number): void {
  root.replaceChildren(...episodes.map((ep, i) => decisionCard(ep, t, PLANNER_COLORS[i % PLANNER_COLORS.length])));
}

function decisionCard(ep: Episode, t: number, color: string): HTMLElement {
  // Each episode's own clock: it stops at its end while a rival's goes on.
  const ended = ep.record !== null && t >= ep.duration - 1e-9;
  const own = ep.done ? Math.min(t, ep.duration) : t;
  const status = ended
    ? h('span', { class: `status ${ep.record!.success ? 'ok' : 'bad'}` }, `${ep.record!.success ? '✔' : '✘'} ${outcomeWords(ep.record!)} at ${ep.duration.toFixed(1)} s`)
    : h('span', { class: 'status' }, ep.live && !ep.done ? `running · ${own.toFixed(1)} s` : `${own.toFixed(1)} s`);
  const card = h('section', { class: 'card decision', 'data-planner': ep.key.planner, style: `border-left: 3px solid ${color}` }, h('h3', {}, ep.key.planner, ' ', status));
  if (ended && ep.record!.error) card.append(h('p', { class: 'error' }, ep.record!.error));
  const step = ep.stepAt(own);
  if (!step) {
    card.append(h('p', { class: 'muted' }, 'no decision yet'));
    return card;
  }
  const intent = ep.infoAt<string>(own, 'intent');
  if (intent && typeof intent.value === 'string') card.append(h('p', { class: 'intent' }, intent.value));
  card.append(h('p', { class: 'muted' }, `step ${step.step} · action [${step.action.map((a) => a.toFixed(2)).join(', ')}] · decided in ${step.plannerMs.toFixed(1)} ms`));

  // A skill still "running" at the end of an episode is stale: the episode's outcome says it.
  const skill = ended ? null : ep.infoAt<{ name?: string; args?: unknown; status?: string }>(own, 'skill');
  if (skill) card.append(h('p', {}, h('b', {}, 'skill '), `${skill.value.name ?? '?'}(${shortJson(skill.value.args ?? {})}) — ${skill.value.status ?? ''}`));

  const llm = ep.infoAt<LlmInfo>(own, 'llm');
  if (llm) card.append(llmBlock(llm.value, llm.step.step));

  const im = ep.imaginedAt(own);
  if (im) {
    const costs = im.rollouts.map((r) => r.cost).sort((a, b) => a - b);
    const elites = im.rollouts.filter((r) => r.elite).length;
    const block = h(
      'details',
      { class: 'wm' },
      h('summary', {}, `imagined futures: ${im.total} (${elites} elite drawn bright${im.rollouts.some((r) => r.subject) ? '; orange: where they imagine the pushed object going' : ''})`),
      h('p', {}, `${im.total} rollouts (${im.rollouts.length} drawn), ${elites} elite · best cost ${fmt(costs[0])} · median ${fmt(costs[costs.length >> 1])} (lower is better)`),
    );
    const chosen = chosenRollout(im.rollouts);
    if (chosen && chosen.points.length > 1) {
      // The plan against what happened: the same number of steps from the decision's state.
      const horizon = chosen.points.length - 1;
      const actual = ep.actualPathFrom(im.step, horizon);
      const n = Math.min(actual.length, chosen.points.length) - 1;
      const gap = n > 0 ? Math.hypot(...[0, 1, 2].map((k) => chosen.points[n][k] - actual[n][k])) : NaN;
      card.append(
        h(
          'p',
          { class: 'plan-check' },
          h('span', { class: 'swatch imagined' }, ''),
          'the chosen plan as imagined; ',
          h('span', { class: 'swatch actual' }, ''),
          n > 0 ? `where the robot really went: ${gap.toFixed(2)} m apart after ${n} step${n === 1 ? '' : 's'}${n < horizon ? (ep.done ? ` (the episode ended before step ${horizon})` : ` (of ${horizon} so far)`) : ''}` : 'where the robot really went: not recorded yet',
        ),
      );
    }
    const list = h('ol', { class: 'costs' });
    for (const r of [...im.rollouts].sort((a, b) => a.cost - b.cost).slice(0, 5)) list.append(h('li', { class: r.elite ? 'elite' : '' }, `${fmt(r.cost)}${r.elite ? ' (elite)' : ''}`));
    block.append(list);
    card.append(block);
  }

  const failures = (step.info.failures as { category?: string; detail?: string }[] | undefined) ?? [];
  if (failures.length) card.append(h('ul', { class: 'failures' }, ...failures.map((f) => h('li', {}, `${failureLabel(f.category ?? '', f.detail)}: ${f.detail ?? ''}`))));
  return card;
}

function llmBlock(llm: LlmInfo, atStep: number): HTMLElement {
  const msgs = Array.isArray(llm.messages) ? llm.messages : [];
  const lastUser = [...msgs].reverse().find((m) => m.role === 'user');
  const prompt = lastUser ? text(lastUser.content) : '';
  const v = llm.validation;
  const ok = typeof v === 'string' ? v === 'ok' : !(v && typeof v === 'object' && (v as { ok?: boolean }).ok === false);
  const parsed = llm.plan ?? llm.action;
  const usage = llm.usage ? ` · ${llm.usage.in ?? 0} in / ${llm.usage.out ?? 0} out tokens` : '';
  const block = h(
    'div',
    { class: 'llm' },
    h('h4', {}, `LLM decision${llm.decision !== undefined ? ` #${llm.decision}` : ''} (step ${atStep}${llm.latencyMs !== undefined ? `, ${Math.round(llm.latencyMs)} ms` : ''}${usage})`),
    h('div', { class: 'label' }, 'prompt (excerpt)'),
    h('pre', { class: 'prompt' }, prompt.length > EXCERPT ? `…${prompt.slice(-EXCERPT)}` : prompt),
    h('div', { class: 'label' }, 'response'),
    h('pre', { class: 'response' }, text(llm.response).slice(0, 2 * EXCERPT)),
    ...(typeof llm.reasoning === 'string' && llm.reasoning ? [h('div', { class: 'label' }, 'stated reason'), h('p', { class: 'reason' }, llm.reasoning)] : []),
    h('div', { class: 'label' }, 'parsed plan'),
    h('pre', { class: 'plan' }, parsed === undefined ? '—' : shortJson(parsed)),
    h('div', { class: `validation ${ok ? 'ok' : 'bad'}` }, ok ? '✔ valid' : `✘ ${typeof v === 'string' ? v : text(v)}`),
  );
  return block;
}

/**
 * The task of the shown episodes: the instruction each planner was given and, for a generated
 * level, its family, split, level number and difficulty. One block per distinct scenario.
 */
export function renderTask(root: HTMLElement, episodes: Episode[]): void {
  const byScenario = new Map<string, Episode>();
  for (const ep of episodes) if (!byScenario.has(ep.key.scenario)) byScenario.set(ep.key.scenario, ep);
  root.hidden = byScenario.size === 0;
  root.replaceChildren(
    h('h3', {}, 'task'),
    ...[...byScenario.values()].map((ep) => {
      const l = ep.task.level;
      return h(
        'div',
        { class: 'task-item', 'data-scenario': ep.key.scenario },
        h('div', { class: 'task-scenario' }, ep.key.scenario),
        l
          ? h(
              'div',
              { class: 'task-level' },
              ...[
                ['family', l.family],
                ['split', l.split],
                ['level', String(l.level)],
                ['difficulty', l.difficulty.toFixed(2)],
              ].map(([k, v]) => h('span', { class: `chip ${k === 'split' ? `split-${v}` : ''}` }, h('span', { class: 'muted' }, `${k} `), v)),
            )
          : null,
        h('p', { class: 'instruction' }, ep.task.instruction || '(instruction not known: the scenario is not available here)'),
      );
    }),
  );
}

/** Scoreboard: finished episodes per planner, then the rows. */
export function renderScoreboard(root: HTMLElement, records: EpisodeRecord[], running: Episode[]): void {
  // Per planner over every scenario so far, by the same `summarize` that writes summary.json.
  const rows = summarize(records.map((r) => ({ ...r, scenario: 'all' }))).rows;
  const table = h(
    'table',
    { class: 'scoreboard' },
    h('tr', {}, h('th', {}, 'planner'), h('th', {}, 'success'), h('th', {}, 'efficiency'), h('th', {}, 'mean return'), h('th', {}, 'collisions / episode')),
    ...rows.map((r) =>
      h(
        'tr',
        {},
        h('td', {}, r.planner),
        h('td', { title: `95% interval ${(r.ci95[0] * 100).toFixed(0)}–${(r.ci95[1] * 100).toFixed(0)}%` }, `${r.successes}/${r.episodes}`),
        h('td', r.efficiencyCi95 ? { title: `95% interval ${r.efficiencyCi95[0].toFixed(2)}–${r.efficiencyCi95[1].toFixed(2)}` } : {}, r.efficiency === null ? '—' : r.efficiency.toFixed(2)),
        h('td', {}, r.meanReturn.toFixed(2)),
        h('td', {}, r.meanCollisions.toFixed(1)),
      ),
    ),
  );
  const recent = h(
    'ul',
    { class: 'recent' },
    ...running.filter((e) => !e.done).map((e) => h('li', { class: 'running' }, `▶ ${e.label} — step ${e.steps.length}`)),
    ...records
      .slice(-8)
      .reverse()
      .map((r) => h('li', { class: r.success ? 'ok' : 'bad' }, `${r.success ? '✔' : '✘'} ${r.planner} · ${r.scenario} · seed ${r.seed} · ${r.steps} steps${r.failure ? ` · ${r.failure}` : ''}`)),
  );
  root.replaceChildren(h('h3', {}, 'scoreboard'), records.length ? table : h('p', { class: 'muted' }, 'no finished episodes yet'), recent);
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x && 'text' in x ? String((x as { text: unknown }).text) : text(x))).join('\n');
  return JSON.stringify(v, null, 1);
}

/** JSON with numbers rounded to 3 decimals, for skill arguments. */
function shortJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'number' ? Math.round(x * 1000) / 1000 : x));
}

function fmt(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '—' : Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(3);
}
