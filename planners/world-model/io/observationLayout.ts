/**
 * The simulator's observation layout per robot type, as short strings ("goal@7+4") that a
 * checkpoint stores and must match: a model trained on one layout reads garbage from another.
 */
import type { RobotType } from '../../../scenarios/schema.ts';
import { obsLayout } from '../../../sim/observation.ts';

export function observationLayout(robot: RobotType): string[] {
  return obsLayout(robot).map((s) => `${s.name}@${s.offset}+${s.length}`);
}
