/**
 * The playhead and its controls: play, pause, step, seek, speed, "follow live", and a timeline
 * with one labelled lane per shown episode (its planner, in its viewport's colour, and how it
 * stands at the playhead) carrying its markers, each with a few words of what happened there
 * ("collision with crate-1", "stuck 5 s", "LLM reply not valid JSON", "planner too slow:
 * 340 ms"); a click on a marker or its words jumps there. Words that would overlap an earlier
 * one in the lane are left to the hover text.
 *
 * Time is simulated seconds, shared by every shown episode (they run on the same clock).
 */
import { outcomeWords, type Episode, type MarkerKind } from './Episode.ts';
import { PLANNER_COLORS } from './Stage.ts';

export const MARKER_COLORS: Record<MarkerKind, string> = {
  collision: '#ef476f',
  invalid: '#f4a261',
  stuck: '#ffd166',
  slow: '#8d99ae',
  perturbation: '#c77dff',
  spawn: '#8ecae6',
  success: '#06d6a0',
  failure: '#e63946',
};

/** Average width of a character of marker words (11 px system font), for overlap checks. */
const CHAR_PX = 6.2;
/** The lane labels' column, and the inset of lanes and playhead that matches the seek thumb's
 * travel (both also in style.css). */
const LABEL_PX = 170;
const INSET_PX = 7;
/** Rows of words per lane, and their height (style.css: `.lane` is ROWS × ROW_PX tall). */
const ROWS = 2;
const ROW_PX = 14;

/** Inline SVG: icon glyphs are missing from many system fonts (and from headless Chromium). */
const svg = (path: string) => `<svg viewBox="0 0 16 16" width="14" height="14" fill="currentColor" aria-hidden="true"><path d="${path}"/></svg>`;
const ICONS = {
  play: svg('M4 2l10 6-10 6z'),
  pause: svg('M3 2h4v12H3zM9 2h4v12H9z'),
  back: svg('M2 2h2v12H2zM14 2v12L5 8z'),
  fwd: svg('M12 2h2v12h-2zM2 2l9 6-9 6z'),
};

const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];
/** In follow mode the playhead trails the newest frame by about this much (s), so there is always
 * a next frame to interpolate towards. */
const LIVE_LAG = 0.15;

export class Timeline {
  t = 0;
  playing = true;
  speed = 1;
  /** Follow the newest live frame. Turned off by pausing or seeking; on by the Live button. */
  followLive = false;
  private episodes: Episode[] = [];
  private markersVersion = '';
  private readonly el: Record<string, HTMLElement>;
  private readonly slider: HTMLInputElement;

  constructor(root: HTMLElement, private readonly onChange: () => void) {
    root.innerHTML = `
      <div class="transport">
        <button data-id="back" title="Step back (←)">${ICONS.back}</button>
        <button data-id="play" title="Play / pause (space)">${ICONS.pause}</button>
        <button data-id="fwd" title="Step forward (→)">${ICONS.fwd}</button>
        <select data-id="speed" title="Playback speed">${SPEEDS.map((s) => `<option value="${s}" ${s === 1 ? 'selected' : ''}>${s}×</option>`).join('')}</select>
        <button data-id="live" class="live-btn" title="Follow the live stream">● live</button>
        <span data-id="time" class="time">0.0 / 0.0 s</span>
      </div>
      <div class="track">
        <div data-id="lanes" class="lanes"></div>
        <div class="seek-row"><span></span><input data-id="seek" type="range" min="0" max="0" step="0.001" value="0" aria-label="seek"></div>
        <div data-id="playhead" class="playhead"></div>
      </div>`;
    const q = (id: string) => root.querySelector(`[data-id="${id}"]`) as HTMLElement;
    this.el = { back: q('back'), play: q('play'), fwd: q('fwd'), speed: q('speed'), live: q('live'), time: q('time'), lanes: q('lanes'), playhead: q('playhead') };
    this.slider = q('seek') as HTMLInputElement;
    this.el.live.style.display = 'none';
    this.el.play.onclick = () => this.setPlaying(!this.playing);
    this.el.back.onclick = () => this.stepBy(-1);
    this.el.fwd.onclick = () => this.stepBy(1);
    this.el.live.onclick = () => {
      this.followLive = true;
      this.setPlaying(true);
    };
    (this.el.speed as HTMLSelectElement).onchange = () => (this.speed = Number((this.el.speed as HTMLSelectElement).value));
    this.slider.oninput = () => this.seek(Number(this.slider.value));
    window.addEventListener('keydown', (e) => {
      const el = e.target as HTMLElement;
      if (el.tagName === 'SELECT' || (el.tagName === 'INPUT' && (el as HTMLInputElement).type !== 'range')) return;
      if (e.key === ' ') {
        e.preventDefault();
        this.setPlaying(!this.playing);
      } else if (e.key === 'ArrowLeft') this.stepBy(-1);
      else if (e.key === 'ArrowRight') this.stepBy(1);
    });
  }

  get duration(): number {
    return Math.max(0, ...this.episodes.map((e) => e.duration));
  }

  setEpisodes(episodes: Episode[]): void {
    this.episodes = episodes;
    this.markersVersion = '';
  }

  seek(t: number): void {
    this.followLive = false;
    this.t = Math.max(0, Math.min(t, this.duration));
    this.onChange();
  }

  setPlaying(p: boolean): void {
    this.playing = p;
    if (!p) this.followLive = false;
    this.el.play.innerHTML = p ? ICONS.pause : ICONS.play;
    this.el.play.setAttribute('aria-label', p ? 'pause' : 'play');
    this.onChange();
  }

  /** Moves by whole control steps (frames), pausing playback. */
  stepBy(n: number): void {
    this.setPlaying(false);
    const ep = this.episodes.find((e) => e.frames.length > 1);
    if (!ep) return;
    const at = ep.frameAt(this.t);
    const idx = Math.max(0, Math.min(ep.frames.length - 1, (at?.index ?? 0) + (at && at.alpha > 0 && n < 0 ? 0 : n)));
    this.seek(ep.frames[idx].t);
  }

  /** Advances the playhead by `dtReal` wall-clock seconds; returns the time to draw. */
  tick(dtReal: number): number {
    const end = this.duration;
    if (this.followLive) {
      // Play at the chosen speed, and close any larger gap smoothly: a run paced faster than real
      // time (or a burst after a stall) is caught up in well under a second, without jumps.
      const behind = end - LIVE_LAG - this.t;
      this.t = Math.min(end, this.t + Math.max(dtReal * this.speed, behind * Math.min(1, dtReal * 4)));
    } else if (this.playing) {
      this.t = Math.min(end, this.t + dtReal * this.speed);
      // Replays stop at the end; a live episode keeps growing, so keep playing into it.
      if (this.t >= end && !this.episodes.some((e) => e.live && !e.done)) this.setPlaying(false);
    }
    this.draw();
    return this.t;
  }

  private draw(): void {
    const end = this.duration;
    this.slider.max = String(end);
    if (document.activeElement !== this.slider) this.slider.value = String(this.t);
    this.el.time.textContent = `${this.t.toFixed(1)} / ${end.toFixed(1)} s`;
    this.el.live.classList.toggle('on', this.followLive);
    const live = this.episodes.some((e) => e.live && !e.done);
    if ((this.el.live.style.display === 'none') === live) this.el.live.style.display = live ? '' : 'none';
    const width = this.el.lanes.clientWidth;
    const version = `${end.toFixed(2)}|${width}|${this.episodes.map((e) => `${e.id}:${e.markersVersion}`).join(',')}`;
    if (version !== this.markersVersion) {
      this.markersVersion = version;
      this.drawLanes(end);
    }
    // Each lane's label says how its planner stands at the playhead (its own clock stops at its end).
    this.el.lanes.querySelectorAll<HTMLElement>('.lane-label').forEach((el, i) => {
      const ep = this.episodes[i];
      if (!ep) return;
      const status = ep.record && this.t >= ep.duration - 1e-9 ? `${ep.record.success ? '✔' : '✘'} ${outcomeWords(ep.record)}` : ep.done || !ep.live ? '' : 'running';
      const text = `${ep.key.planner}${status ? ` · ${status}` : ''}`;
      if (el.textContent !== text) el.textContent = text;
    });
    // Over the lanes, where the seek thumb is: lanes and slider share the label column and insets.
    const f = end > 0 ? this.t / end : 0;
    this.el.playhead.style.left = `calc(${LABEL_PX + INSET_PX}px + (100% - ${LABEL_PX + 2 * INSET_PX}px) * ${f.toFixed(5)})`;
  }

  private drawLanes(end: number): void {
    const lanes = this.el.lanes;
    lanes.innerHTML = '';
    this.episodes.forEach((ep, index) => {
      const label = document.createElement('div');
      label.className = 'lane-label';
      label.style.borderColor = PLANNER_COLORS[index % PLANNER_COLORS.length];
      label.title = ep.label;
      label.dataset.planner = ep.key.planner;
      const lane = document.createElement('div');
      lane.className = 'lane';
      lane.dataset.planner = ep.key.planner;
      const width = lanes.clientWidth - LABEL_PX - 2 * INSET_PX;
      // Words go in the first of the lane's rows where they overlap no earlier words.
      const freeFrom = new Array<number>(ROWS).fill(-Infinity);
      for (const m of [...ep.markers].sort((a, b) => a.t - b.t)) {
        const b = document.createElement('button');
        b.className = `marker marker-${m.kind}`;
        b.dataset.t = String(m.t);
        const x = end > 0 ? m.t / end : 0;
        const span = end > 0 && m.until !== undefined ? Math.max(0, (m.until - m.t) / end) * width : 0;
        b.style.left = `${x * 100}%`;
        b.style.setProperty('--c', MARKER_COLORS[m.kind]);
        b.style.setProperty('--w', `${Math.max(6, span)}px`);
        b.title = `${ep.key.planner} · t ${m.t.toFixed(2)} s · ${m.label}${m.detail && m.detail !== m.label ? ` — ${m.detail}` : ''}`;
        const words = document.createElement('span');
        words.className = 'words';
        words.textContent = m.label;
        const px = x * width;
        const w = m.label.length * CHAR_PX + 12;
        const row = freeFrom.findIndex((f) => px >= f && px + w <= width + 60);
        if (row >= 0) {
          freeFrom[row] = px + w + 4;
          words.style.top = `${row * ROW_PX}px`;
        } else words.hidden = true;
        b.append(words);
        b.onclick = () => {
          this.setPlaying(false);
          this.seek(m.t);
        };
        lane.appendChild(b);
      }
      lanes.append(label, lane);
    });
  }
}
