/**
 * Child-process half of the cross-process determinism test: prints the trajectory hash of one
 * episode. Usage: node --import tsx test/sim/hashEpisode.ts <fixture> <seed> <flavor>
 */
import { createEnv } from '../../sim/Env.ts';
import type { PhysicsFlavor } from '../../sim/types.ts';
import { actionSequence, fixture, rollout } from './helpers.ts';

const [name, seed, flavor] = process.argv.slice(2);
const env = await createEnv(fixture(name as 'nav' | 'push' | 'arm'), { physics: flavor as PhysicsFlavor });
const r = rollout(env, Number(seed), actionSequence(env.actionSpace.dim, 40, name));
env.dispose();
process.stdout.write(`${r.hash}\n`);
