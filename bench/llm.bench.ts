/**
 * LLM planner overhead outside the model call, per decision: building the prompt from an
 * observation, extracting and validating the reply (including building the skill, which checks
 * arguments against the scene), and hashing the request for the cassette. Compared with one
 * control step of the real environment measured in the same run: the planner's own work should
 * be small next to a single step of the world it plans for, and negligible next to any LLM call
 * (hundreds of milliseconds).
 */
import { requestKey } from '../planners/llm/Cassette.ts';
import { PromptBuilder } from '../planners/llm/PromptBuilder.ts';
import { PromptTemplates } from '../planners/llm/PromptTemplates.ts';
import { skillPlanSchema, validateSkillPlan } from '../planners/llm/ReplyValidator.ts';
import { taskSpec, type TaskSpec } from '../planners/Planner.ts';
import { skillsFor } from '../planners/skills/index.ts';
import { loadScenario } from '../scenarios/load.ts';
import { createEnv } from '../sim/Env.ts';
import { rate, type Bench, type BenchLine } from './types.ts';

const SCENARIO = 'push-box';

export const benches: Bench[] = [
  {
    name: 'llm planner overhead',
    async run(): Promise<BenchLine[]> {
      const scenario = loadScenario(SCENARIO);
      const env = await createEnv(scenario, { physics: 'deterministic' });
      try {
        let obs = env.reset({ seed: 1 }).obs;
        const task: TaskSpec = taskSpec(scenario, env.actionSpace);
        const skills = skillsFor(scenario.robot.type, { arena: scenario.arena.size });
        const builder = new PromptBuilder(PromptTemplates.load(), task, 'skills', skills, 0, 8);
        const schema = skillPlanSchema(skills);
        const history = Array.from({ length: 8 }, (_, i) => ({ t: i, text: `move_to(x=${i}, y=0.5) done: arrived at (${i}.00, 0.50)` }));
        const goal = obs.goal;
        const plan = {
          reasoning: 'push the box straight to the goal',
          plan: [{ skill: 'push', args: { object_id: goal.object ?? obs.objects[0]?.id, x: goal.position[0], y: goal.position[1] } }],
        };
        const reply = `Here is my plan:\n\`\`\`json\n${JSON.stringify(plan, null, 2)}\n\`\`\``;
        if (!validateSkillPlan(reply, skills, obs).ok) throw new Error(`bench reply does not validate on ${SCENARIO}`);

        const decision = () => {
          const messages = builder.messages(obs, history, ['push failed: box stuck.']);
          requestKey({ model: 'bench', messages, temperature: 0, maxTokens: 600, seed: 1, schema }, 0);
          validateSkillPlan(reply, skills, obs);
        };
        const promptRate = rate(() => builder.messages(obs, history, []));
        const validateRate = rate(() => validateSkillPlan(reply, skills, obs));
        const decisionRate = rate(decision);
        const parseRate = rate(() => JSON.parse(JSON.stringify(plan)));
        // Baseline: one control step of the real physics on the same scene.
        const zero = new Array<number>(env.actionSpace.dim).fill(0);
        const stepRate = rate(() => {
          const r = env.step(zero);
          if (r.terminated || r.truncated) obs = env.reset({ seed: 1 }).obs;
        });

        const us = (perSecond: number) => 1e6 / perSecond;
        const stepUs = us(stepRate);
        const promptChars = builder.messages(obs, history, []).reduce((n, m) => n + m.content.length, 0);
        return [
          { figure: `llm prompt build per decision (${SCENARIO}, ${promptChars} chars)`, value: us(promptRate), unit: 'µs' },
          { figure: 'llm reply extract + validate per decision (fenced JSON)', value: us(validateRate), unit: 'µs', baseline: { name: 'JSON.parse of the plan', value: us(parseRate) }, ratio: validateRate === 0 ? 0 : parseRate / validateRate },
          {
            figure: 'llm overhead per decision outside the LLM call (prompt + cassette key + validate)',
            value: us(decisionRate),
            unit: 'µs',
            baseline: { name: `one env control step (${SCENARIO})`, value: stepUs },
            ratio: us(decisionRate) / stepUs,
            target: 1,
            targetBelow: true,
          },
        ];
      } finally {
        env.dispose();
      }
    },
  },
];
