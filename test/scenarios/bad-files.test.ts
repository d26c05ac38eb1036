import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUserError } from '../../core/errors.ts';
import { checkFile, loadScenarioFile, loadSuite } from '../../scenarios/load.ts';
import { formatProblem } from '../../scenarios/problems.ts';

const BAD = join(import.meta.dirname, 'fixtures', 'bad');

/** Each malformed fixture, the JSON path (or text position) its problem must name, and text
 * that must appear in the message: what was found and how to fix it. */
const CASES: [file: string, where: string, ...mustSay: string[]][] = [
  ['wrong-type', '$.timeLimit', 'expected a number', 'found a string "20"', 'write the number without quotes'],
  ['missing-field', '$.goal', 'missing required field "goal"', 'add it', '"type": reach, push, ee_reach'],
  ['unknown-key', '$.obstacles[0].postion', 'unknown key "postion"', 'did you mean "position"?', 'valid keys here: id, position, yaw'],
  ['unknown-robot', '$.robot.type', 'unknown robot "tank"', 'valid robots: diffdrive, pusher, arm'],
  ['unknown-goal-type', '$.goal.type', 'unknown goal type "reach_point"', 'valid goal types: reach, push, ee_reach'],
  ['goal-inside-obstacle', '$.goal.position', 'lies inside obstacle "rock" ($.obstacles[0])', 'move the goal'],
  ['overlapping-objects', '$.objects[0]', 'overlaps object "crate-2" ($.objects[1])', 'move them apart'],
  ['spawn-outside-arena', '$.robot.start.position', 'outside the arena', 'move it inward'],
  ['bad-range', '$.randomize.robotYaw', 'needs lo <= hi', 'found [30,-30]'],
  ['unknown-push-object', '$.goal.object', '"box" is not a movable object', 'valid movable objects: crate'],
  ['bad-control-period', '$.controlPeriod', 'not a whole number of physics steps', 'use 0.1 (6 steps) or 0.15 (9 steps)'],
  ['unknown-perturbation-target', '$.perturbations[0].target', 'unknown target "crates"', 'valid targets: robot, crate'],
  ['duplicate-id', '$.objects[0].id', 'duplicate id "crate"', 'first used at $.obstacles[1].id', 'make each unique'],
  ['random-goal-outside', '$.randomize.goalPosition', 'can put the goal up to 0.5 m outside the arena', 'narrow the range'],
  ['random-spawn-overlap', '$.randomize.robotPosition', 'lets the robot overlap obstacle "rock"', 'reduce the randomisation'],
  ['arm-out-of-reach', '$.goal.position', "beyond its reach of 0.75 m", 'move it closer'],
  ['spawn-on-moving-path', '$.robot.start.position', 'the path of moving obstacle "mover"', "move the robot's start"],
  ['ee-goal-for-diffdrive', '$.goal.type', 'needs an arm', 'use "reach" or "push"'],
  ['wrong-schema-ref', '$.$schema', 'should point to scenario.schema.json', 'that is the schema of a suite file', 'use "../scenario.schema.json"'],
  ['late-shove', '$.perturbations[0].at', 'at or after the time limit', 'make it earlier'],
  ['id-mismatch', '$.id', 'does not match the file name "id-mismatch.json"', 'rename the file or change the id'],
  ['negative-size', '$.objects[0].size[1]', 'must be > 0', 'found -0.4'],
  ['duplicate-key', '$.timeLimit', 'duplicate key "timeLimit"', 'delete one of them'],
  ['trailing-comma', 'line 65, column 1', 'trailing comma', 'delete it'],
  ['bad-json', 'line 3, column 12', 'strings must use double quotes'],
  ['comment', 'line 1, column 1', 'comments are not allowed in JSON'],
  ['goal-against-wall', '$.goal.position', 'only 0.1 m from the perimeter wall', "the robot's centre stays at least 0.2 m from it", 'move the goal away'],
  ['goal-hugging-obstacle', '$.goal.position', 'only 0.08 m from obstacle "rock"', 'can never come within the goal tolerance (0.05 m)'],
  ['mover-through-wall', '$.movingObstacles[0].path', 'passes through obstacle "rock" ($.obstacles[0])', 'route its path around it'],
  ['object-on-mover-start', '$.objects[0]', 'lies where moving obstacle "mover" can start (phase [1, 2.2] m along its path)', 'change the phase range'],
  ['mover-standing-still', '$.movingObstacles[0].path', 'never moves', 'give distinct waypoints'],
  ['time-limit-too-short', '$.timeLimit', 'can start 4.228 m', "top speed of 1 m/s plus the 0.5 s the goal must be held, longer than timeLimit 3.5 s", 'raise timeLimit'],
  ['bad-suite', '$.scenarios[1]', 'unknown scenario "open-feild"', 'valid scenarios: arm-push, arm-reach'],
];

describe('malformed scenario and suite files', () => {
  it.each(CASES)('%s: names %s, what is wrong and the fix', (name, where, ...mustSay) => {
    const file = join(BAD, `${name}.json`);
    const result = checkFile(file);
    expect(result.ok).toBe(false);
    const lines = result.problems.map((p) => formatProblem(file, p));
    const line = lines.find((l) => l.startsWith(`${file}: ${where}: `));
    expect(line, `no problem at ${where} in:\n${lines.join('\n')}`).toBeDefined();
    for (const text of mustSay) expect(line).toContain(text);
  });

  it('reports every problem of a file, not just the first', () => {
    const result = checkFile(join(BAD, 'bad-suite.json'));
    expect(result.problems.map((p) => p.path)).toEqual([
      ['scenarios', 1],
      ['scenarios', 2],
    ]);
    expect(result.problems[1].message).toContain('listed twice');
  });

  it('loaders throw one-line UserErrors naming the file, the path and the fix', () => {
    const file = join(BAD, 'unknown-robot.json');
    let error: unknown;
    try {
      loadScenarioFile(file);
    } catch (e) {
      error = e;
    }
    expect(isUserError(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain('unknown-robot.json: $.robot.type: unknown robot "tank"; valid robots: diffdrive, pusher, arm');
    expect(() => loadSuite(join(BAD, 'bad-suite.json'))).toThrow(/bad-suite\.json: 2 problems: \$\.scenarios\[1\]: unknown scenario "open-feild"/);
  });

  it('a missing file is named as missing', () => {
    expect(() => loadScenarioFile(join(BAD, 'no-such-file.json'))).toThrow(/no-such-file\.json: no such scenario file; check the path/);
  });
});
