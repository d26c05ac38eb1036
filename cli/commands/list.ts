/**
 * `planarena list scenarios|suites|families|planners|settings [--tag T] [--json]`: what can be run.
 * Without a name, lists all four.
 */
import { parseFlags } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import type { Command } from '../main.ts';
import { listFamilies, listScenarios, listSuites, loadFamily, loadScenario, loadSuite } from '../../scenarios/load.ts';
import { BUILDERS } from '../../scenarios/generator/FamilySpec.ts';
import { novelFactors } from '../../scenarios/generator/FamilyCatalog.ts';
import { describeType, dashed } from '../../core/settings.ts';
import { getPlannerFactory, plannerDescription, plannerNames, PLANNER_SETTINGS } from '../../planners/registry.ts';
import { settingsMarkdown } from '../runFlags.ts';

const LISTS = ['scenarios', 'suites', 'families', 'planners', 'settings'] as const;
type ListName = (typeof LISTS)[number];

/** Whether each planner can run here with no settings given, and if not why (its factory says). */
async function plannerRows(): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const n of plannerNames()) {
    const factory = await getPlannerFactory(n);
    const reason = factory.unavailable?.({ config: {} }) ?? null;
    out.push({ name: n, available: reason === null, reason: reason === null ? null : reason.replace(/\s*\n\s*/g, ' '), privileged: factory.privileged === true, description: plannerDescription(n) });
  }
  return out;
}

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
        const generate = s.generate.map((g) => ({ ...g }));
        return { id, defaultSeeds: s.defaultSeeds, scenarios: [...s.scenarios], ...(generate.length ? { generate } : {}), description: s.description };
      });
    case 'families':
      return listFamilies().map((id) => {
        const f = loadFamily(id);
        const b = BUILDERS[f.builder];
        return { id, robot: b.robot, builder: f.builder, trainLevels: f.trainLevels, novel: novelFactors(f), title: f.title, summary: b.summary };
      });
    case 'planners':
      return []; // filled by plannerRows (it loads the factories)
    case 'settings':
      return PLANNER_SETTINGS.flatMap((g) =>
        g.settings.map((s) => ({ planner: g.planners.join(','), setting: s.flag ? `--${dashed(s.key)}` : `--set ${dashed(s.key)}`, type: describeType(s), default: s.default, doc: s.doc })),
      );
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
      return table(['ID', 'SEEDS', 'SCENARIOS'], items.map((r) => [str(r.id), str(r.defaultSeeds), suiteContents(r)]));
    case 'families':
      return table(
        ['ID', 'ROBOT', 'TRAIN', 'OOD FACTORS', 'TITLE'],
        items.map((r) => [str(r.id), str(r.robot), `${str(r.trainLevels)} levels`, str(r.novel), `${str(r.title)}: ${str(r.summary)}`]),
      );
    case 'planners':
      return table(
        ['NAME', 'RUNS HERE', 'WHAT IT IS, OR WHY IT CANNOT RUN HERE'],
        items.map((r) => [str(r.name), r.available ? 'yes' : 'no', r.available ? str(r.description) : str(r.reason)]),
      );
    case 'settings':
      return table(['PLANNER', 'SETTING', 'DEFAULT', 'WHAT IT DOES'], items.map((r) => [str(r.planner), str(r.setting), r.default === null ? '-' : str(r.default), str(r.doc)]));
  }
}

/** Listed scenarios by id; generated ranges as "rooms test 0-49" rather than 50 ids. */
function suiteContents(r: Record<string, unknown>): string {
  const generate = (r.generate as { family: string; split: string; start: number; count: number }[] | undefined) ?? [];
  const generated = generate.length > 0 ? (r.scenarios as string[]).slice(-generate.reduce((n, g) => n + g.count, 0)) : [];
  const listed = (r.scenarios as string[]).slice(0, (r.scenarios as string[]).length - generated.length);
  const ranges = generate.map((g) => `${g.family} ${g.split} ${g.count === 1 ? g.start : `${g.start}-${g.start + g.count - 1}`}`);
  return [...listed, ...ranges].join(', ') + (generated.length ? ` (${(r.scenarios as string[]).length} scenarios)` : '');
}

export const command: Command = {
  name: 'list',
  summary: 'list scenarios, suites, families, planners or planner settings',
  usage: [
    'usage: planarena list [scenarios|suites|families|planners|settings] [--tag T]... [--json | --markdown]',
    '',
    '  scenarios   shipped scenarios: id, robot, goal type, tags, time limit, title',
    '  suites      shipped suites and their scenarios (generated levels as ranges)',
    '  families    procedural scene families: robot, train split size, the factors whose ood',
    '              values train never sees (generate levels with planarena generate)',
    '  planners    registered planners: whether each can run here (with no settings given) and',
    '              why not (no LLM configured, no checkpoint), else a one-line description',
    '  settings    every planner setting: flag or --set key, default, what it does',
    '  (nothing)   all five',
    '',
    '  --tag T     only scenarios carrying tag T (repeat for several: all must match)',
    '  --json      print a JSON object { scenarios?, suites?, families?, planners?, settings? } instead of tables',
    '  --markdown  with settings: the Markdown table of docs/settings.md',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags('list', argv, { json: { type: 'boolean' }, markdown: { type: 'boolean' }, tag: { type: 'string', multiple: true } });
    for (const p of positionals) {
      if (!(LISTS as readonly string[]).includes(p)) throw new UserError('E_BAD_ARG', `unknown list "${p}"; valid lists: ${LISTS.join(', ')}`);
    }
    const names = (positionals.length ? positionals : LISTS) as readonly ListName[];
    if (values.markdown) {
      if (names.length !== 1 || names[0] !== 'settings') throw new UserError('E_BAD_FLAG', '--markdown is for `planarena list settings --markdown` (the text of docs/settings.md).');
      process.stdout.write(settingsMarkdown());
      return 0;
    }
    const data: Record<string, Record<string, unknown>[]> = {};
    for (const n of names) data[n] = n === 'planners' ? await plannerRows() : rows(n, values.tag ?? []);
    if (values.json) {
      console.log(JSON.stringify(data, null, 2));
      return 0;
    }
    const sections = names.map((n) => (names.length > 1 ? `${n}:\n${render(n, data[n])}` : render(n, data[n])));
    console.log(sections.join('\n\n'));
    return 0;
  },
};
