/** Fan-out of episode hooks to several observers (live stream, progress bar, tests). */
import type { EpisodeObserver } from './types.ts';

export function combineObservers(...list: (EpisodeObserver | undefined)[]): EpisodeObserver | undefined {
  const observers = list.filter((o): o is EpisodeObserver => o !== undefined);
  if (observers.length === 0) return undefined;
  if (observers.length === 1) return observers[0];
  return {
    onEpisodeStart: (...a) => observers.forEach((o) => o.onEpisodeStart?.(...a)),
    onStep: (...a) => observers.forEach((o) => o.onStep?.(...a)),
    onEpisodeEnd: (...a) => observers.forEach((o) => o.onEpisodeEnd?.(...a)),
    beforeStep: (...a) => observers.forEach((o) => o.beforeStep?.(...a)),
  };
}
