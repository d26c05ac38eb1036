/**
 * Settings of the world-model planner, declared once (see core/settings.ts). Search settings
 * default per robot type (Configurator.ts): a null default here means "the robot's default".
 * `world-model-actor` (the actor alone) reads the same checkpoint and backend; it ignores the
 * search settings, which its ablation fixes (Configurator.ts `ACTOR_ONLY`).
 */
import type { SettingsGroup } from '../../core/settings.ts';

const perRobot = (doc: string) => `${doc} (default: per robot, see docs/world-model.md)`;

export const WORLD_MODEL_SETTINGS: SettingsGroup = {
  planners: ['world-model', 'world-model-actor'],
  settings: [
    { key: 'checkpoint', type: 'string', default: null, flag: true, doc: 'world-model checkpoint directory: one checkpoint, or one subdirectory per robot as `train --out` writes (default: the shipped checkpoints)' },
    { key: 'wmBackend', type: 'choice', default: 'wasm', choices: ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'], doc: 'tfjs backend; wasm is fast on CPUs and deterministic, auto may pick a GPU (not bit-reproducible)' },
    { key: 'wmHorizon', type: 'integer', default: null, min: 1, max: 200, doc: perRobot('imagined control steps per sequence') },
    { key: 'wmSamples', type: 'integer', default: null, min: 1, max: 65536, doc: perRobot('action sequences sampled per MPPI iteration') },
    { key: 'wmActorSamples', type: 'integer', default: null, min: 0, max: 65536, doc: perRobot("of the samples, how many are the actor's own proposals") },
    { key: 'wmElites', type: 'integer', default: null, min: 1, max: 65536, doc: perRobot('best sequences that set the next sampling distribution') },
    { key: 'wmIterations', type: 'integer', default: null, min: 1, max: 100, doc: perRobot('MPPI iterations per decision') },
    { key: 'wmTemperature', type: 'number', default: null, min: 0, doc: perRobot('MPPI temperature of the elite weights') },
    { key: 'wmMinStd', type: 'number', default: null, min: 0, doc: perRobot('smallest sampling standard deviation') },
    { key: 'wmMaxStd', type: 'number', default: null, min: 0, doc: perRobot('largest sampling standard deviation') },
    { key: 'wmActorPrior', type: 'number', default: null, min: 0, max: 1, doc: perRobot("1: centre the search on the actor's sequence; 0: on the warm start") },
    { key: 'wmPriorStd', type: 'number', default: null, min: 0, doc: perRobot("initial search width around the actor's sequence, relative to max-std") },
    { key: 'wmGreedy', type: 'number', default: null, min: 0, max: 1, doc: perRobot("1: act on the cheapest sequence's first action; 0: on the elites' weighted mean") },
    { key: 'wmStall', type: 'integer', default: null, min: 0, max: 100000, doc: perRobot("stall response: after this many decisions without 0.1 m of gain towards the goal (by route), outside the goal's tolerance, search the whole action range with no behaviour prior until it has gained wm-stall-release; 0: off") },
    { key: 'wmStallRelease', type: 'number', default: null, min: 0, doc: perRobot('route gain (m) that turns the stall response off once it is on (without a robot default: 0.1)') },
    { key: 'wmStage', type: 'integer', default: null, min: 0, max: 1, doc: perRobot("push tasks on ground robots: the configurator's staging subgoal (1: on; 0: off): until the robot stands behind the crate on its route, the route cost reads the imagined robot against the way to the staging point") },
    { key: 'wmBias', type: 'number', default: null, min: 0, max: 1, doc: perRobot("offset-free correction: the rate (0-1, per decision) at which the memory averages the imagination's one-step motion bias (decoded motion of the action taken minus the motion observed next); the hard-wired costs read imagined positions less that bias per imagined step; 0: off") },
    { key: 'wmImagined', type: 'integer', default: null, min: 0, max: 1000, doc: perRobot('imagined futures sent to the viewer per decision') },
    { key: 'wmCostGoal', type: 'number', default: null, doc: perRobot('cost weight of the predicted goal distance') },
    { key: 'wmCostReward', type: 'number', default: null, doc: perRobot('cost weight of the predicted reward (subtracted)') },
    { key: 'wmCostFailure', type: 'number', default: null, doc: perRobot('cost weight of the predicted failure probability') },
    { key: 'wmCostValue', type: 'number', default: null, doc: perRobot("weight of the critic's terminal value (subtracted)") },
    { key: 'wmCostPrior', type: 'number', default: null, doc: perRobot("behaviour prior: cost of leaving the actor's action, per imagined step") },
    { key: 'wmCostClearance', type: 'number', default: null, min: 0, doc: perRobot('hard-wired clearance cost: weight of imagined positions (probe-decoded) closer than the margin to an obstacle the observation lists') },
    { key: 'wmCostRoute', type: 'number', default: null, min: 0, doc: perRobot('hard-wired route cost: weight of the route length from each imagined position to the goal around the listed obstacles (push tasks: of the imagined object, where the checkpoint decodes it)') },
    { key: 'wmCostRouteInflate', type: 'number', default: null, min: 0, doc: 'route field: clearance (m) from the listed obstacles a cell needs to count as free (default 0.25)' },
    { key: 'wmCostRouteMargin', type: 'number', default: null, min: 0, doc: 'route field: cost per metre inside that clearance margin, relative to free space (default 100)' },
    { key: 'wmCostRouteSlack', type: 'number', default: null, min: 0, doc: 'route field: reading slack (m) at the horizon: an imagined position reads the lowest route length within this distance of it (after step t, (t + 1)/H of it, as the imagination\'s error grows), so a path that grazes the margin by less than that error is not costed as a collision (default 0)' },
    { key: 'wmCostSettle', type: 'number', default: null, min: 0, doc: perRobot("hard-wired settle cost: weight of the imagined speed at imagined steps inside the goal's tolerance; also proposes braking") },
    { key: 'wmCostOutside', type: 'number', default: null, min: 0, doc: perRobot("hard-wired arrival cost: weight per imagined step whose imagined position (push tasks: the imagined object's) lies outside 0.8 × the goal's tolerance") },
    { key: 'wmCostApproach', type: 'number', default: null, min: 0, doc: perRobot('hard-wired approach cost (push tasks): weight of the distance from the imagined robot point to the imagined object, per imagined step (needs a checkpoint that decodes the object)') },
    { key: 'wmCostLine', type: 'number', default: null, min: 0, doc: perRobot("hard-wired push-line cost (push tasks with the staging subgoal, while pushing): weight of the imagined robot point's sideways distance, m, from the line through the observed crate along its route direction, per imagined step") },
    { key: 'wmCostMargin', type: 'number', default: null, min: 0, doc: perRobot('clearance margin, m, below which the clearance cost applies') },
  ],
};
