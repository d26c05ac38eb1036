/**
 * Terrain is ground, not an obstacle: driving up the shipped slope scenario's ramp onto its
 * platform records no collisions, in the simulator's events, in the runner's episode record, and
 * in what the LLM planner is told.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getPlannerFactory } from '../../planners/registry.ts';
import { runEpisode } from '../../runner/episode.ts';
import { loadScenario } from '../../scenarios/load.ts';
import type { SimEvent } from '../../sim/types.ts';
import { llmEpisode } from '../llm/harness.ts';
import { replies, sceneOf, startLlmServer, type ScriptedLlmServer } from '../support/llmServer.ts';

const TERRAIN = ['floor', 'ramp', 'platform'];

let server: ScriptedLlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('terrain is not a collision', () => {
  it('the scripted planner drives up the ramp onto the platform with no collision events or counts', async () => {
    const scenario = loadScenario('slope');
    const planner = await (await getPlannerFactory('scripted')).create({ config: {} });
    const contacts: SimEvent[] = [];
    let maxZ = 0;
    const { record } = await runEpisode(
      { scenario: 'slope', planner: 'scripted', seed: 0 },
      {
        scenario,
        planner,
        privileged: false,
        physics: 'deterministic',
        clock: 'turn',
        record: false,
        pace: 0,
        observer: {
          onStep: (_key, step) => {
            maxZ = Math.max(maxZ, step.result.obs.robot.pose.z);
            for (const e of step.result.info.events) if (e.type === 'collision' || e.type === 'contact_end') contacts.push(e);
          },
        },
      },
    );
    await planner.dispose();
    expect(record.success).toBe(true);
    // It really went up: the chassis centre ends ~0.3 m higher than on the floor.
    expect(maxZ).toBeGreaterThan(0.35);
    expect(contacts.filter((e) => e.type === 'collision' && TERRAIN.includes(e.b))).toEqual([]);
    expect(record.collisions).toBe(0);
    expect(record.failureCategories.collision ?? 0).toBe(0);
  });

  it('the LLM planner is never told it hit the ramp or the platform', async () => {
    // Two waypoints: the foot of the ramp, then the goal up on the platform.
    server = await startLlmServer({
      fallback: (req) => {
        const g = sceneOf(req)!.goal.position;
        return replies.json({ reasoning: 'up the ramp', plan: [{ skill: 'move_to', args: { x: 0, y: 0 } }, { skill: 'move_to', args: { x: g[0], y: g[1] } }] });
      },
    });
    const { record } = await llmEpisode('slope', { llmUrl: server.url }, 0);
    expect(record.success).toBe(true);
    expect(record.collisions).toBe(0);
    for (const req of server.requests) {
      const text = req.body.messages.map((m) => m.content).join('\n');
      expect(text).not.toMatch(/hit (ramp|platform|floor)/);
    }
  });
});
