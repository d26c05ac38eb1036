/**
 * Family files (`scenarios/families/<id>.json`): a procedural family as data. A family names a
 * builder (the code that lays out one level) and gives its factor values per split:
 *
 * - `train`: the factor ranges of the `trainLevels` training levels (levels 0 .. trainLevels-1);
 * - `test`: the same ranges, other levels (drawn from other streams; any level number);
 * - `ood`: factor values never seen in training (new shapes, larger or denser layouts, new
 *   colours and words); at least one factor must be disjoint from its train values.
 *
 * The zod schema is the source of truth; `family.schema.json` is generated from it.
 */
import { z } from 'zod';
import type { Builder } from './Builder.ts';
import { arm, ArmFactors } from './builders/arm.ts';
import { clutter, ClutterFactors } from './builders/clutter.ts';
import { corridor, CorridorFactors } from './builders/corridor.ts';
import { pushing, PushingFactors } from './builders/pushing.ts';
import { rooms, RoomsFactors } from './builders/rooms.ts';

/** Every builder, by the name family files use. */
export const BUILDERS: Record<string, Builder<never>> = { rooms, clutter, corridor, pushing, arm } as unknown as Record<string, Builder<never>>;

const familyId = z
  .string()
  .regex(/^[a-z][a-z0-9]*$/, 'family ids are lower-case letters and digits, starting with a letter, no "-" (level ids are <family>-<split>-<level>)');

const common = {
  $schema: z.string().optional().describe('Path to family.schema.json, for editors.'),
  id: familyId.describe('Family id; must equal the file name without .json. Level ids are <id>-<split>-<level>.'),
  title: z.string().min(1).describe('Short display title.'),
  description: z.string().min(1).describe('What the family tests.'),
  trainLevels: z.number().int().positive().max(100_000).describe('Size of the train split: levels 0 .. trainLevels-1. Test and ood levels are unbounded.'),
};

function family<const B extends string, F extends z.ZodType>(builder: B, factors: F) {
  return z
    .object({
      ...common,
      builder: z.literal(builder).describe('The code that lays out a level (scenarios/generator/builders/).'),
      splits: z
        .object({
          train: factors.describe('Factor values of the train split (the test split draws from the same values).'),
          ood: factors.describe('Factor values of the ood split: at least one factor must share nothing with train.'),
        })
        .strict()
        .describe('Factor values per split.'),
    })
    .strict();
}

export const FamilySpec = z.discriminatedUnion('builder', [
  family('rooms', RoomsFactors),
  family('clutter', ClutterFactors),
  family('corridor', CorridorFactors),
  family('pushing', PushingFactors),
  family('arm', ArmFactors),
]);
export type Family = z.infer<typeof FamilySpec>;
