/**
 * The viewer app: routes (`#/live`, `#/replay[?run=R[&eps=a|b]]`, `#/results?run=R`), the
 * render loop, and the wiring between the live stream, the stage, the timeline, the panels and
 * teaching mode. Both sources (live socket, recorded run) produce {@link Episode}s; everything
 * downstream reads only those.
 */
import './style.css';
import { Episode } from './Episode.ts';
import { LiveClient } from './LiveClient.ts';
import { h, renderDecisions, renderScoreboard, renderTask } from './panels.ts';
import { loadEpisodes, renderRun, renderRunList } from './ReplayBrowser.ts';
import { ResultsPage } from './ResultsPage.ts';
import { benchUpdate } from './benchUpdate.ts';
import { Stage, type Pick } from './Stage.ts';
import { Timeline } from './Timeline.ts';

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const MAX_VIEWS = 6;

type Route = { page: 'live' } | { page: 'replay'; run: string | null; eps: string[] } | { page: 'results'; run: string | null };

const stage = new Stage($('stage'));
const timeline = new Timeline($('timeline'), () => (panelKey = ''));
const results = new ResultsPage($('results-page'));
let route: Route = { page: 'live' };
let shown: Episode[] = [];
let liveGroup: string | null = null;
let panelKey = '';
let scoreDirty = true;
let lastError: string | null = null;

const live = new LiveClient({
  onHello: (hello) => {
    scoreDirty = true; // the teaching card shows from the next refresh, while episodes run
    if (hello.mode === 'serve' && !location.hash) location.hash = '#/replay';
  },
  onEpisode: (ep) => {
    scoreDirty = true;
    // The Live page follows the newest race (a new scenario or seed starts a new group; the next
    // planners of the same scenario and seed join it). Finished episodes fetched by a page that
    // came late only choose the group when nothing runs and the user has not picked one.
    const group = groupOf(ep);
    if (!ep.done) {
      if (group !== liveGroup || picked) showGroup(group, true);
    } else if (!picked && !liveEpisodes().some((e) => !e.done)) {
      const newest = liveEpisodes().at(-1);
      if (newest && groupOf(newest) !== liveGroup) showGroup(groupOf(newest), false);
    }
    refreshGroups();
  },
  onChange: () => {
    scoreDirty = true;
  },
  onStatus: (s) => ($('status').textContent = s),
});

/** The group the user picked from the menu: kept until a new race starts. */
let picked = false;

/** Shows a live group: a running race follows the live edge; a finished one replays from 0. */
function showGroup(group: string, running: boolean): void {
  liveGroup = group;
  picked = false;
  if (route.page !== 'live') return;
  timeline.t = 0;
  timeline.followLive = running;
  timeline.setPlaying(true);
}

function groupOf(ep: Episode): string {
  return `${ep.key.scenario} · seed ${ep.key.seed}`;
}

function liveEpisodes(): Episode[] {
  return live.ordered();
}

function refreshGroups(): void {
  const select = $('group') as HTMLSelectElement;
  const eps = liveEpisodes();
  const groups = [...new Set(eps.map(groupOf))];
  const labels = groups.map((g) => `${g}${eps.some((e) => groupOf(e) === g && !e.done) ? ' (running)' : ''}`);
  const current = [...select.options].map((o) => o.textContent).join('\n');
  if (current !== labels.join('\n')) {
    select.replaceChildren(...groups.map((g, i) => h('option', { value: g }, labels[i])));
  }
  if (liveGroup) select.value = liveGroup;
}

function parseRoute(): Route {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const q = new URLSearchParams(query);
  if (path === '/results') return { page: 'results', run: q.get('run') };
  if (path === '/replay') return { page: 'replay', run: q.get('run'), eps: (q.get('eps') ?? '').split('|').filter(Boolean) };
  return { page: 'live' };
}

async function onRoute(): Promise<void> {
  route = parseRoute();
  lastError = null;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.getAttribute('data-page') === route.page);
  const showStage = route.page === 'live' || (route.page === 'replay' && route.eps.length > 0);
  $('view-page').hidden = !showStage;
  $('replay-page').hidden = !(route.page === 'replay' && !showStage);
  $('results-page').hidden = route.page !== 'results';
  $('live-only').hidden = route.page !== 'live';
  // The 3D view's controls show only where there is a 3D view.
  $('view-controls').hidden = !showStage;
  scoreDirty = true;
  try {
    if (route.page === 'results') {
      if (route.run) await results.show(route.run);
      else await renderRunList($('results-page'));
    } else if (route.page === 'replay' && route.eps.length === 0) {
      if (route.run) await renderRun($('replay-page'), route.run);
      else await renderRunList($('replay-page'));
    } else if (route.page === 'replay' && route.run) {
      setShown([]);
      setShown(await loadEpisodes(route.run, route.eps.slice(0, MAX_VIEWS)));
      timeline.seek(0);
      timeline.setPlaying(true);
    } else {
      shown = [];
      timeline.followLive = true;
    }
  } catch (e) {
    lastError = e instanceof Error ? e.message : String(e);
    $('replay-page').hidden = false;
    $('replay-page').replaceChildren(h('p', { class: 'error' }, lastError));
  }
}

function setShown(eps: Episode[]): void {
  shown = eps;
  scoreDirty = true;
  stage.setEpisodes(eps);
  timeline.setEpisodes(eps);
  renderTask($('task'), eps);
  panelKey = '';
}

// Teaching mode: a click on a viewport of a running episode shoves the body under the cursor
// (or the robot) away from the camera, or drops a box obstacle where the ground was clicked.
stage.onPick = (p: Pick) => {
  if (route.page !== 'live' || !live.hello?.teaching) return;
  const channel = live.channelOf(p.episode);
  const out = $('teach-result');
  if (channel === null) {
    out.textContent = 'that episode has ended; teaching works on running episodes';
    return;
  }
  const tool = (document.querySelector('input[name="tool"]:checked') as HTMLInputElement).value;
  const strength = Number(($('strength') as HTMLSelectElement).value);
  let req;
  if (tool === 'drop') {
    req = live.request({ type: 'spawn', channel, position: [p.point.x, p.point.y], shape: 'box' });
  } else {
    const robot = p.episode.scene.bodies.find((b) => b.kind === 'robot');
    const target = p.body?.dynamic ? p.body.id : robot?.id;
    if (!target) return;
    req = live.request({ type: 'shove', channel, target, impulse: [p.direction.x * strength, p.direction.y * strength, 0] });
  }
  out.textContent = '…';
  void req.then((ev) => (out.textContent = ev.type === 'ack' ? `applied (${tool})` : `refused: ${ev.type === 'error' ? ev.message : ''}`));
};

let last = performance.now();
let lastScore = 0;
function frame(now: number): void {
  const dt = Math.min(0.1, (now - last) / 1000);
  last = now;
  if (route.page === 'live') {
    const group = liveEpisodes().filter((e) => groupOf(e) === liveGroup).slice(-MAX_VIEWS);
    if (group.length !== shown.length || group.some((e, i) => e !== shown[i])) setShown(group);
  }
  if (!$('view-page').hidden) {
    const t = timeline.tick(dt);
    stage.follow = ($('follow') as HTMLInputElement).checked;
    stage.setGhost(($('ghost') as HTMLInputElement).checked);
    stage.render(t);
    $('empty').hidden = shown.length > 0 || route.page !== 'live';
    const key = shown.map((e) => `${e.id}:${e.stepAt(t)?.step ?? -1}`).join(',');
    if (key !== panelKey) {
      panelKey = key;
      renderDecisions($('decisions'), shown, t);
    }
  }
  // The scoreboard is rebuilt at most 4 times a second, however fast steps arrive.
  if (scoreDirty && now - lastScore > 250) {
    scoreDirty = false;
    lastScore = now;
    if (route.page === 'live') {
      renderScoreboard($('scoreboard'), live.finished, liveEpisodes());
      refreshGroups(); // "(running)" goes when a race ends
    }
    // Controls only where they act: the camera controls with a 3D view, teaching with a running episode.
    const teach = route.page === 'live' && live.hello?.teaching === true && liveEpisodes().some((e) => !e.done);
    if ($('teach').hidden === teach) $('teach').hidden = !teach;
    const views = !$('view-page').hidden && shown.length > 0;
    if ($('view-controls').hidden === views) $('view-controls').hidden = !views;
    else renderScoreboard($('scoreboard'), shown.flatMap((e) => (e.record ? [e.record] : [])), []);
  }
  requestAnimationFrame(frame);
}

$('group').addEventListener('change', () => {
  liveGroup = ($('group') as HTMLSelectElement).value;
  picked = true;
  timeline.seek(0);
  timeline.setPlaying(true);
});
$('reset-camera').addEventListener('click', () => stage.resetCameras());
window.addEventListener('hashchange', () => void onRoute());

/** Handles for the browser tests and the bench (no effect on the app). */
Object.assign(window, {
  __planarena: {
    stage,
    timeline,
    live,
    benchUpdate: (n: number, iterations: number) => benchUpdate(n, iterations, stage.renderer),
    shown: () => shown,
    route: () => route,
    error: () => lastError,
  },
});

live.connect();
void onRoute();
requestAnimationFrame(frame);
