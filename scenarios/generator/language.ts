/**
 * Instructions of generated levels: a small template grammar with paraphrases, in the style of
 * BabyAI's. An instruction states the task (what, where, how close) and never the strategy;
 * strategy advice goes to the scenario's optional `hint`, which a language planner sees only with
 * `--llm-hints`.
 *
 * Grammar: a template is text with `{slot}` holes and `[a|b|c]` alternatives (not nested).
 * Slots are filled first (a slot's value may carry its own alternatives), then each alternative
 * is chosen by the level's draw, left to right, so the same level always reads the same.
 *
 * Two word sets: `base` (train and test) and `novel` (ood): other verbs, nouns, sentence frames
 * and colour names, never used by a train or test level, so ood levels also test wording.
 */
import type { Draw } from './Draw.ts';

export const WORD_SETS = ['base', 'novel'] as const;
export type WordSet = (typeof WORD_SETS)[number];

/** Named colours and how they are drawn. Base colours for train/test, the rest for ood. */
export const COLORS = {
  red: '#d2484b',
  blue: '#3a6fd8',
  green: '#3ba55c',
  yellow: '#e0b83a',
  purple: '#8e4fc9',
  orange: '#e8832a',
  teal: '#2aa1a8',
  pink: '#e06fa8',
  white: '#e6e6e6',
  black: '#3a3a3a',
} as const;
export type ColorName = keyof typeof COLORS;
export const COLOR_NAMES = Object.keys(COLORS) as ColorName[];

/** What an instruction asks for. */
export type TaskKind = 'reach' | 'push' | 'arm-reach' | 'arm-push';

/**
 * Sentence frames per task and word set. Slots: `{where}` (a place phrase starting with a
 * space, or empty), `{target}` (the object, without article), `{tol}` (a number), `{marker}`.
 */
const TEMPLATES: Record<TaskKind, Record<WordSet, string[]>> = {
  reach: {
    base: [
      '[Drive|Take|Move] the robot to the {marker}{where}. [Stop|Finish] within {tol} m of it.',
      '[Reach|Get to] the {marker}{where} and stop within {tol} m of it.',
      'Your task: bring the robot to within {tol} m of the {marker}{where}.',
      'Go to the {marker}{where}; the task is done when the robot is within {tol} m of it.',
      'Get the robot to the {marker}{where}, ending within {tol} m of it.',
      'The {marker} is waiting{where}. [Drive|Go] there and stop within {tol} m.',
    ],
    novel: [
      '[Steer|Navigate|Guide] the vehicle to the {marker}{where}, halting within {tol} m.',
      'Make your way to the {marker}{where} and come to rest within {tol} m of it.',
      'Head for the {marker}{where}; success means ending up within {tol} m of it.',
      'Proceed to the {marker}{where}. Come to rest no more than {tol} m away.',
      'Travel to the {marker}{where} and park within {tol} m of it.',
    ],
  },
  push: {
    base: [
      'Push the {target} to the {marker}. It must end within {tol} m of the goal.',
      '[Move|Shove|Slide] the {target} into the goal region, within {tol} m of its centre.',
      'Get the {target} to the {marker}: its centre must end within {tol} m of it.',
      'Deliver the {target} to the {marker} (within {tol} m).',
      'The {target} belongs at the {marker}. Push it there, to within {tol} m.',
      'Your task: push the {target} until it is within {tol} m of the {marker}.',
    ],
    novel: [
      'Nudge the {target} over to the {marker}, leaving it within {tol} m.',
      'Relocate the {target} so that it rests within {tol} m of the {marker}.',
      'Transport the {target} to the {marker} by pushing it; finish within {tol} m.',
      'Bring the {target} across to the {marker}, no more than {tol} m off.',
      'Herd the {target} onto the {marker} (tolerance {tol} m).',
    ],
  },
  'arm-reach': {
    base: [
      'Move the tip of the arm to the {marker}{where}, within {tol} cm.',
      "Touch the {marker}{where} with the arm's end effector (within {tol} cm).",
      'Bring the end effector within {tol} cm of the {marker}{where}.',
      "Reach the {marker}{where} with the arm's tip and hold it within {tol} cm.",
      'Put the tip of the arm on the {marker}{where}; within {tol} cm counts.',
    ],
    novel: [
      "Position the gripper point at the {marker}{where}, no further than {tol} cm from it.",
      "Extend the manipulator so its tip meets the {marker}{where} (within {tol} cm).",
      "Place the manipulator's tip at the {marker}{where}, to {tol} cm.",
      'Point the arm at the {marker}{where} until its tip is within {tol} cm.',
    ],
  },
  'arm-push': {
    base: [
      'Push the {target} along the floor into the goal region, within {tol} cm of its centre.',
      'Slide the {target} to the {marker} with the arm; it must end within {tol} cm of the goal.',
      'Use the arm to move the {target} to the {marker}, to within {tol} cm.',
      'Get the {target} into the goal region (within {tol} cm).',
      'Your task: slide the {target} until it is within {tol} cm of the {marker}.',
    ],
    novel: [
      'Sweep the {target} over to the {marker}, leaving it within {tol} cm.',
      'Relocate the {target} with the manipulator so it rests within {tol} cm of the {marker}.',
      'Drag the {target} across to the {marker} (tolerance {tol} cm).',
      'Shift the {target} onto the {marker}, no more than {tol} cm off.',
    ],
  },
};

/** Nouns and phrases, per word set. Each entry is a grammar fragment with alternatives. */
export const VOCAB = {
  base: {
    marker: '[goal marker|goal]',
    pointMarker: '[goal point|floating goal point]',
    room: 'room',
    pillar: 'pillar',
    field: 'field',
    corridor: 'corridor',
    nouns: { crate: '[crate|box]', drum: '[drum|barrel]', brick: '[brick|plank]', block: '[block|cube]', puck: '[puck|disc]' },
    nearLandmark: '[next to|beside|by] the {landmark}',
    nearest: '[closest to you|nearest the robot]',
    farthest: '[farthest from you|furthest from the robot]',
    nearestBase: "[closest to the arm's base|nearest the arm]",
    farthestBase: "[farthest from the arm's base|furthest from the arm]",
    above: ' [above|right above] the {target}',
  },
  novel: {
    marker: '[target flag|destination beacon]',
    pointMarker: '[target beacon|hovering target]',
    room: '[chamber|compartment]',
    pillar: '[column|post]',
    field: 'yard',
    corridor: '[hallway|passageway]',
    nouns: { crate: '[carton|chest]', drum: '[keg|canister]', brick: '[slab|beam]', block: '[tile|brick]', puck: '[token|coin]' },
    nearLandmark: '[alongside|adjacent to] the {landmark}',
    nearest: '[that is nearest to you|closest to the vehicle]',
    farthest: '[that is most distant from you|furthest from the vehicle]',
    nearestBase: '[nearest the manipulator|closest to the mount]',
    farthestBase: '[most distant from the manipulator|furthest from the mount]',
    above: ' [hovering over|directly over] the {target}',
  },
} as const;

export type Vocab = (typeof VOCAB)[WordSet];

/** Fills `{slot}`s, then resolves `[a|b]` alternatives with the draw; capitalises the start. */
export function expand(d: Draw, template: string, slots: Record<string, string> = {}): string {
  let text = template;
  // Slots may hold slots ({target} inside {where}): fill until none are left.
  for (let pass = 0; pass < 4 && /\{[a-z]+\}/.test(text); pass++) {
    text = text.replace(/\{([a-z]+)\}/g, (whole, name: string) => (name in slots ? slots[name] : whole));
  }
  if (/\{[a-z]+\}/.test(text)) throw new Error(`language: unfilled slot in "${text}"`);
  text = text.replace(/\[([^\]]*)\]/g, (_, alts: string) => d.pick(alts.split('|')));
  text = text.replace(/\s+/g, ' ').trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * What every instruction adds: success is a held state (sim/predicates.ts: the subject within
 * tolerance and at rest for half a second), so the task statement says the subject must stay put,
 * in the level's word set.
 */
const AT_REST: Record<TaskKind, Record<WordSet, string>> = {
  reach: { base: 'Stay there, at rest.', novel: 'Then hold still.' },
  push: { base: 'It must come to rest there.', novel: 'It has to settle there, motionless.' },
  'arm-reach': { base: 'Hold the tip still there.', novel: 'Keep the tip motionless there.' },
  'arm-push': { base: 'It must come to rest there.', novel: 'It has to settle there, motionless.' },
};

/** One instruction for `kind`, in the level's word set. */
export function instruction(d: Draw, kind: TaskKind, words: WordSet, slots: Record<string, string>): string {
  const frame = d.pick(TEMPLATES[kind][words]);
  return `${expand(d, frame, slots)} ${AT_REST[kind][words]}`;
}

/** Number of sentence frames of a task in a word set (for tests and docs). */
export function frameCount(kind: TaskKind, words: WordSet): number {
  return TEMPLATES[kind][words].length;
}

/** A tolerance for the text: "0.3", "0.35", "5". */
export function fmtTol(x: number): string {
  return String(Math.round(x * 100) / 100);
}
