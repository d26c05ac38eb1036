/**
 * Ids of generated levels: `<family>-<split>-<level>`, e.g. `rooms-test-12`. They are ordinary
 * scenario ids (so suites, runs, records, reports and the viewer handle them like any other),
 * and `scenarios/load.ts` turns one into its scenario by generating it. Family ids have no "-",
 * so the id parses one way.
 */
import { SPLITS, type Split } from '../schema.ts';

export interface LevelRef {
  family: string;
  split: Split;
  level: number;
}

const PATTERN = new RegExp(`^([a-z][a-z0-9]*)-(${SPLITS.join('|')})-(0|[1-9][0-9]{0,8})$`);

export function levelId(family: string, split: Split, level: number): string {
  return `${family}-${split}-${level}`;
}

/** The level an id names, or null when it is not a level id (whether the family exists is not checked). */
export function parseLevelId(id: string): LevelRef | null {
  const m = PATTERN.exec(id);
  return m ? { family: m[1], split: m[2] as Split, level: Number(m[3]) } : null;
}
