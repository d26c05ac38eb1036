/**
 * The replay picker: runs under the server's runs folder, then a run's episodes, grouped by
 * scenario and seed so that one click opens the head-to-head of every planner on that seed.
 * Opening sets the URL hash (`#/replay?run=R&eps=a|b`), so a replay is a link to share.
 */
import type { EpisodeData, RunDetail, RunListing } from '../protocol.ts';
import { Episode } from './Episode.ts';
import { h } from './panels.ts';

export function replayHash(run: string, recordings: string[]): string {
  return `#/replay?run=${encodeURIComponent(run)}&eps=${recordings.map(encodeURIComponent).join('|')}`;
}

export async function renderRunList(root: HTMLElement): Promise<void> {
  const listing = (await (await fetch('api/runs')).json()) as RunListing;
  if (listing.runs.length === 0) {
    root.replaceChildren(
      h('h2', {}, 'recorded runs'),
      h('p', { class: 'muted' }, listing.runsDir ? `no run directories under ${listing.runsDir}. Record one: planarena run --record --out ${listing.runsDir}/my-run …` : 'this server has no runs folder; start it with planarena serve --runs DIR'),
    );
    return;
  }
  root.replaceChildren(
    h('h2', {}, `recorded runs · ${listing.runsDir}`),
    h(
      'table',
      { class: 'runs' },
      h('tr', {}, h('th', {}, 'run'), h('th', {}, 'created'), h('th', {}, 'episodes'), h('th', {}, 'recordings'), h('th', {}, '')),
      ...listing.runs.map((r) =>
        h(
          'tr',
          {},
          h('td', {}, h('a', { href: `#/replay?run=${encodeURIComponent(r.name)}` }, r.name)),
          h('td', {}, r.createdAt ?? '—'),
          h('td', {}, String(r.episodes)),
          h('td', {}, String(r.recordings)),
          h('td', {}, h('a', { href: `#/results?run=${encodeURIComponent(r.name)}` }, 'results')),
        ),
      ),
    ),
  );
}

export async function renderRun(root: HTMLElement, run: string): Promise<void> {
  const res = await fetch(`api/runs/${encodeURIComponent(run)}`);
  if (!res.ok) {
    root.replaceChildren(h('p', { class: 'error' }, `cannot load run ${run}: ${((await res.json()) as { error: string }).error}`));
    return;
  }
  const detail = (await res.json()) as RunDetail;
  const groups = new Map<string, typeof detail.episodes>();
  const rank = (p: string) => (detail.planners?.indexOf(p) ?? -1) + 1 || Infinity;
  const scenarios = [...new Set(detail.episodes.map((e) => e.scenario))];
  const ordered = [...detail.episodes].sort((a, b) => scenarios.indexOf(a.scenario) - scenarios.indexOf(b.scenario) || a.seed - b.seed || rank(a.planner) - rank(b.planner));
  for (const e of ordered) {
    const k = `${e.scenario} · seed ${e.seed}`;
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  const table = h('table', { class: 'episodes' }, h('tr', {}, h('th', {}, 'scenario · seed'), h('th', {}, 'planners'), h('th', {}, '')));
  for (const [k, eps] of groups) {
    const recorded = eps.filter((e) => e.recording).map((e) => e.recording!);
    table.append(
      h(
        'tr',
        {},
        h('td', {}, k),
        h(
          'td',
          {},
          ...eps.map((e) =>
            e.recording
              ? h('a', { class: `ep ${e.success ? 'ok' : 'bad'}`, href: replayHash(run, [e.recording]) }, `${e.success ? '✔' : '✘'} ${e.planner}`)
              : h('span', { class: 'ep muted', title: 'not recorded (run with --record)' }, `${e.success ? '✔' : '✘'} ${e.planner}`),
          ),
        ),
        h('td', {}, recorded.length > 1 ? h('a', { class: 'h2h', href: replayHash(run, recorded) }, 'head-to-head ▶') : ''),
      ),
    );
  }
  root.replaceChildren(
    h('h2', {}, `run ${run}`),
    h('p', {}, h('a', { href: `#/results?run=${encodeURIComponent(run)}` }, 'results page →'), ' · ', h('a', { href: '#/replay' }, 'all runs')),
    detail.episodes.length ? table : h('p', { class: 'muted' }, 'no finished episodes yet'),
  );
}

/** Loads recorded episodes for replay. */
export async function loadEpisodes(run: string, recordings: string[]): Promise<Episode[]> {
  return Promise.all(
    recordings.map(async (rec) => {
      const res = await fetch(`api/runs/${encodeURIComponent(run)}/episode?path=${encodeURIComponent(rec)}`);
      if (!res.ok) throw new Error(`cannot load ${rec} of run ${run}: ${((await res.json()) as { error: string }).error}`);
      return Episode.fromData(`${run}/${rec}`, (await res.json()) as EpisodeData);
    }),
  );
}
