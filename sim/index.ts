/**
 * The simulator's public API. Everything outside `sim/` imports from here (or from the shared
 * contracts in `sim/types.ts` and `sim/rng.ts`).
 */
export { createEnv, liveNativeObjects, SimEnv, type EnvOptions } from './Env.ts';
export { SPAWN_MASS, SPAWN_SIZE, type SpawnShape } from './spawn.ts';
export { loadRapier, PHYSICS_FLAVORS, type Rapier } from './physics.ts';
export { resolveLayout, type ResolvedLayout, type ResolvedPerturbation } from './layout.ts';
export { obsLayout, obsLength, headingCS, DEFAULT_LIDAR_RAYS, LIDAR_MAX_RANGE, NEAREST_K, POS_SCALE, type ObsSegment } from './observation.ts';
export { goalDistance, isSuccess, withinTolerance, checkFailure, dwellSteps, FLIP_UP_Z, LEAVE_MARGIN, SETTLE_DWELL, SETTLE_SPEED, SETTLE_SPEED_EE } from './predicates.ts';
export * as rewardTerms from './reward.ts';
export { reward } from './reward.ts';
export { Recorder, TrajectoryHasher, readRecording, writeRecording, RECORDING_FORMAT, RECORDING_VERSION, type Recording, type RecordedStep, type RecordingMeta } from './recording.ts';
export { dsin, dcos, datan2, yawQuat } from './detmath.ts';
export { DIFFDRIVE_ACTIONS, MAX_WHEEL_SPEED, WHEEL_RADIUS } from './robots/diffdrive.ts';
export { PUSHER_ACTIONS, PUSHER_RADIUS } from './robots/pusher.ts';
export { ARM_ACTIONS, HOME_JOINTS, JOINT_LIMITS, MAX_JOINT_SPEED, UPPER_LEN, FORE_LEN } from './robots/arm.ts';
export * from './types.ts';
export { Rng } from './rng.ts';
