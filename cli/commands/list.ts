/**
 * `planarena list scenarios|suites|planners [--tag T] [--json]`: what can be run. Without a
 * name, lists all three.
 */
import { parseFlags } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import type { Command } from '../main.ts';
import { listScenarios, listSuites, loadScenario, loadSuite } from '../../scenarios/load.ts';
import { plannerDescription, plannerNames } from '../../planners/registry.ts';

const LISTS = ['scenarios', 'suites', 'planners'] as const;
type ListName = (typeof LISTS)[number];

function rows(name: ListName, tags: readonly string[]): Record<string, unknown>[] {
  switch (name) {
    case 'scenarios':
      return listScenarios()
        .map((id) => loadScenario(id))
        .filter((s) => tags.every((t) => s.tags.includes(t)))
        .map((s) => ({ id: s.id, robot: s.robot.type, goal: s.goal.type, tags: [...s.tags], timeLimit: s.timeLimit, title: s.title }));
    case 'suites':
      return listSuites().map((id) => {
        const s = loadSuite(id);
        return { id, defaultSeeds: s.defaultSeeds, scenarios: [...s.scenarios], description: s.description };
      });
    case 'planners':
      return plannerNames().map((n) => ({ name: n, description: plannerDescription(n) }));
  }
}

/** Left-aligned columns; the last column is free text and is not padded. */
function table(header: string[], body: string[][]): string {
  const widths = header.map((h, k) => Math.max(h.length, ...body.map((r) => r[k].length)));
  const line = (r: string[]) => r.map((c, k) => (k === r.length - 1 ? c : c.padEnd(widths[k]))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

function render(name: ListName, items: Record<string, unknown>[]): string {
  const str = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));
  switch (name) {
    case 'scenarios':
      return table(['ID', 'ROBOT', 'GOAL', 'TAGS', 'LIMIT', 'TITLE'], items.map((r) => [str(r.id), str(r.robot), str(r.goal), str(r.tags), `${str(r.timeLimit)}s`, str(r.title)]));
    case 'suites':
      return table(['ID', 'SEEDS', 'SCENARIOS'], items.map((r) => [str(r.id), str(r.defaultSeeds), (r.scenarios as string[]).join(', ')]));
    case 'planners':
      return table(['NAME', 'DESCRIPTION'], items.map((r) => [str(r.name), str(r.description)]));
  }
}

export const command: Command = {
  name: 'list',
  summary: 'list scenarios, suites or planners',
  usage: [
    'usage: planarena list [scenarios|suites|planners] [--tag T]... [--json]',
    '',
    '  scenarios   shipped scenarios: id, robot, goal type, tags, time limit, title',
    '  suites      shipped suites and their scenarios',
    '  planners    registered planners with a one-line description',
    '  (nothing)   all three',
    '',
    '  --tag T     only scenarios carrying tag T (repeat for several: all must match)',
    '  --json      print a JSON object { scenarios?, suites?, planners? } instead of tables',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags('list', argv, { json: { type: 'boolean' }, tag: { type: 'string', multiple: true } });
    for (const p of positionals) {
      if (!(LISTS as readonly string[]).includes(p)) throw new UserError('E_BAD_ARG', `unknown list "${p}"; valid lists: ${LISTS.join(', ')}`);
    }
    const names = (positionals.length ? positionals : LISTS) as readonly ListName[];
    const data = Object.fromEntries(names.map((n) => [n, rows(n, values.tag ?? [])]));
    if (values.json) {
      console.log(JSON.stringify(data, null, 2));
      return 0;
    }
    const sections = names.map((n) => (names.length > 1 ? `${n}:\n${render(n, data[n])}` : render(n, data[n])));
    console.log(sections.join('\n\n'));
    return 0;
  },
};
