/**
 * Run progress on stderr. On a terminal: one bar redrawn in place, with the episode (or race)
 * running now and its step count. Elsewhere (CI logs, tests, pipes): one plain line per finished
 * episode.
 */
import type { EpisodeRecord } from '../core/records.ts';
import type { EpisodeSpec } from './plan.ts';
import type { EpisodeKey, EpisodeObserver } from './types.ts';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Minimum wall time between two redraws of the bar. */
const REDRAW_MS = 200;

export class Progress {
  private done = 0;
  private current = '';
  private race: string | null = null;
  private steps = 0;
  private lastDraw = 0;
  private readonly started = Date.now();
  private readonly tty: boolean;

  constructor(
    private readonly total: number,
    private readonly out: ProgressStream = process.stderr,
  ) {
    this.tty = Boolean(out.isTTY);
  }

  /** Observer that keeps the step count of the running episode on the bar (in a race: the
   * count of the episode that went furthest). */
  observer(): EpisodeObserver {
    return {
      onStep: (_key, s) => {
        this.steps = Math.max(this.steps, s.result.info.step);
        if (this.tty && Date.now() - this.lastDraw > REDRAW_MS) this.draw();
      },
    };
  }

  /** A race starts: the bar names it rather than its last episode. */
  raceStart(specs: readonly EpisodeSpec[]): void {
    this.race = specs.length > 1 ? `${specs[0].scenario} · seed ${specs[0].seed} · race of ${specs.map((s) => s.planner).join(', ')}` : null;
    this.steps = 0;
  }

  episodeStart(spec: EpisodeSpec): void {
    this.current = this.race ?? label(spec);
    if (!this.race) this.steps = 0;
    if (this.tty) this.draw();
  }

  episodeEnd(record: EpisodeRecord): void {
    this.done++;
    if (this.tty) {
      this.draw();
      return;
    }
    const outcome = record.success ? 'success' : `failed (${record.failure}${record.error ? `: ${record.error}` : ''})`;
    const n = String(this.total).length;
    this.out.write(
      `[${String(this.done).padStart(n)}/${this.total}] ${label(record)}: ${outcome}, ${record.steps} steps, return ${record.return.toFixed(2)}, ${record.wallSeconds.toFixed(1)}s\n`,
    );
  }

  /** A message that must not be overwritten by the bar. */
  note(text: string): void {
    if (this.tty) this.out.write('\r\x1b[2K');
    this.out.write(`${text}\n`);
    if (this.tty && this.done < this.total) this.draw();
  }

  finish(): void {
    if (this.tty) this.out.write('\r\x1b[2K');
    const secs = (Date.now() - this.started) / 1000;
    this.out.write(`${this.done}/${this.total} episodes in ${formatDuration(secs)}\n`);
  }

  private draw(): void {
    this.lastDraw = Date.now();
    const width = 24;
    const filled = this.total === 0 ? width : Math.round((this.done / this.total) * width);
    const elapsed = (Date.now() - this.started) / 1000;
    const eta = this.done > 0 ? ` eta ${formatDuration((elapsed / this.done) * (this.total - this.done))}` : '';
    // The step count goes before the label, so a narrow terminal cuts the label, not the count.
    const running = this.done < this.total && this.current ? ` · step ${this.steps} · ${this.current}` : '';
    let line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} ${formatDuration(elapsed)}${eta}${running}`;
    const cols = this.out.columns ?? 120;
    if (line.length > cols - 1) line = line.slice(0, cols - 1);
    this.out.write(`\r\x1b[2K${line}`);
  }
}

function label(e: EpisodeKey): string {
  return `${e.scenario} · ${e.planner} · seed ${e.seed}`;
}

export function formatDuration(secs: number): string {
  if (secs < 60) return `${secs.toFixed(1)}s`;
  const m = Math.floor(secs / 60);
  const s = Math.round(secs % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
