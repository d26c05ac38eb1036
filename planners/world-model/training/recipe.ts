/**
 * Named training recipes: every setting of `planarena train world-model` fixed in one place, so
 * the shipped checkpoints are retrained from HEAD by one command with fixed step counts
 * (`--recipe shipped`), never stopped by hand. A flag given beside a recipe overrides it and is
 * recorded in the checkpoint's command.
 */
import type { RobotType } from '../../../scenarios/schema.ts';
import type { TrainConfig } from '../Configurator.ts';
import type { DecoySpec } from './training.ts';

export interface Recipe {
  /** What it is for, one line (shown by `train --help`). */
  doc: string;
  suite: string;
  /** Gradient steps per robot type. */
  steps: Record<RobotType, number>;
  batch: number;
  seedEpisodes: number;
  levelEpisodes: number;
  collectEvery: number;
  saveEvery: number;
  logEvery: number;
  evalSeeds: number;
  backend: string;
  /** Planner settings (`--set` keys) of the model's own collection episodes, per robot, over the
   * collection search (64 × 2): fixed here so that changing the planner's defaults later does
   * not change what a recipe collects, and so what it trains. */
  collectPlan?: Partial<Record<RobotType, Record<string, unknown>>>;
  /** Decoy-goal seed episodes per robot, in place of the default (training.ts `DECOY`). */
  decoy?: Partial<Record<RobotType, DecoySpec>>;
  /** Training settings per robot over its defaults (Configurator.ts). */
  train?: Partial<Record<RobotType, Partial<TrainConfig>>>;
}

/** The shipped recipe: see checkpoints/TRAINING.md. */
const SHIPPED: Recipe = {
  doc: 'the shipped checkpoints: suite wm-train (core scenarios + 60 train levels per family, diffdrive decoy stops), wasm',
  suite: 'wm-train',
  steps: { diffdrive: 6000, pusher: 4000, arm: 2500 },
  batch: 128,
  seedEpisodes: 12,
  levelEpisodes: 1,
  collectEvery: 400,
  saveEvery: 500,
  logEvery: 100,
  evalSeeds: 0,
  backend: 'wasm',
  // The planner settings of the model's own collection episodes when these checkpoints were
  // first trained: no route, approach, arrival, settle cost or stall response, the behaviour
  // prior at 40 (the defaults changed after, chosen on validation with these models).
  collectPlan: {
    diffdrive: { wmCostRoute: 0, wmCostPrior: 40, wmCostOutside: 0, wmCostSettle: 0, wmStall: 0 },
    pusher: { wmCostRoute: 0, wmCostApproach: 0, wmCostPrior: 40 },
  },
  // The diffdrive's seed data also has the scripted controller driving to random points in free
  // space (0.45 m clear of the listed obstacles) and stopping there 1.5 s, and its probe loss the
  // motion term at 10, so its model imagines a stop as a stop (checkpoints/TRAINING.md, 2026-12-03).
  decoy: { diffdrive: { every: 60, reached: 0.2, margin: 0.5, dwell: 15, clear: 0.45 } },
  train: { diffdrive: { motionWeight: 10 } },
};

export const RECIPES: Record<string, Recipe> = {
  shipped: SHIPPED,
  smoke: {
    doc: 'a minute-long end-to-end check of the whole recipe path (tests, CI)',
    suite: 'smoke',
    steps: { diffdrive: 20, pusher: 20, arm: 20 },
    batch: 16,
    seedEpisodes: 1,
    levelEpisodes: 1,
    collectEvery: 0,
    saveEvery: 10,
    logEvery: 10,
    evalSeeds: 0,
    backend: 'wasm',
  },
};
