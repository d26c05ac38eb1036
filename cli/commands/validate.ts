/**
 * `planarena validate [FILE|DIR...]`: checks scenario, suite and family files (schema and
 * semantics) and prints `ok FILE` per good file and `FILE: $.path: message` per problem. Exit 1
 * if any file is bad. Without FILE, checks every shipped scenario, suite and family.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlags } from '../args.ts';
import { isUserError, UserError } from '../../core/errors.ts';
import type { Command } from '../main.ts';
import { checkFile, displayPath, shippedFiles, type FileKind } from '../../scenarios/load.ts';
import { formatPath, formatProblem, type Problem } from '../../scenarios/problems.ts';

interface FileReport {
  file: string;
  /** null when the file could not be read at all; `unreadable` then says why. */
  kind: FileKind | null;
  problems: Problem[];
  unreadable?: string;
}

const toJson = (r: FileReport) => ({
  file: r.file,
  kind: r.kind,
  ok: r.problems.length === 0 && !r.unreadable,
  problems: r.unreadable
    ? [{ path: '$', message: r.unreadable }]
    : r.problems.map((p) => ({ path: formatPath(p.path), message: p.message, ...(p.at ? { line: p.at.line, column: p.at.column } : {}) })),
});

/** A folder stands for the .json files in it and in its subfolders (dot-folders and
 * node_modules skipped), sorted; `empty` lists folders with none. */
function expandDir(arg: string, empty: string[]): string[] {
  if (!existsSync(arg) || !statSync(arg).isDirectory()) return [arg];
  const files: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      throw new UserError('E_FILE_NOT_FOUND', `${dir}: cannot list this folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check its permissions`);
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && e.name !== 'node_modules') walk(p);
      } else if (e.name.endsWith('.json') && !e.name.endsWith('.schema.json')) files.push(p);
    }
  };
  walk(arg);
  if (files.length === 0) empty.push(arg);
  return files;
}

export const command: Command = {
  name: 'validate',
  summary: 'check scenario, suite or family files',
  usage: [
    'usage: planarena validate [FILE|DIR...] [--quiet] [--json]',
    '',
    'Checks scenario, suite and family files against the schema and the semantic rules (goal',
    'inside an obstacle, overlapping bodies, things outside the arena, unknown ids, timing, arm',
    'reach, and randomisation that could cause any of these at some seed). A file with "robot" or',
    '"goal" is a scenario; one with "scenarios" or "generate" is a suite; one with "builder" or',
    '"splits" is a family; otherwise its "$schema" decides, then its folder (suites/, families/);',
    'anything else is checked as a scenario.',
    '',
    'Prints "ok FILE" for each good file and "FILE: $.path: problem" for each problem.',
    'Exit status 1 if any file is bad, 0 otherwise. A DIR stands for the .json files in it and',
    'in its subfolders (*.schema.json skipped); a DIR with none is an error. Without FILE,',
    'checks every shipped scenario, suite and family. Limits (file size, nesting, counts): docs/limits.md.',
    '',
    '  --quiet   print only problems',
    '  --json    print one JSON array instead: [{ file, kind, ok, problems: [{ path, message, line?, column? }] }]',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags('validate', argv, { quiet: { type: 'boolean' }, json: { type: 'boolean' } });
    const empty: string[] = [];
    const files = positionals.length ? positionals.flatMap((p) => expandDir(p, empty)) : shippedFiles();
    // A folder without scenarios is a mistake (a wrong path, a wrong glob), not a pass.
    const emptyReports: FileReport[] = empty.map((dir) => ({ file: dir, kind: null, problems: [], unreadable: `${dir}: no scenario, suite or family files (*.json) in this folder or its subfolders; check the path` }));
    const reports: FileReport[] = [...emptyReports, ...files.map((file): FileReport => {
      const shown = positionals.length ? file : displayPath(file);
      try {
        const result = checkFile(file);
        return { file: shown, kind: result.kind, problems: result.problems };
      } catch (e) {
        // Unreadable files are reported like any other bad file; the remaining files still get checked.
        if (!isUserError(e)) throw e;
        return { file: shown, kind: null, problems: [], unreadable: e.message };
      }
    })];
    const bad = reports.filter((r) => r.problems.length > 0 || r.unreadable).length;
    if (values.json) {
      console.log(JSON.stringify(reports.map(toJson), null, 2));
      return bad ? 1 : 0;
    }
    for (const r of reports) {
      if (r.unreadable) console.log(r.unreadable);
      else if (r.problems.length === 0 && !values.quiet) console.log(`ok ${r.file}`);
      for (const p of r.problems) console.log(formatProblem(r.file, p));
    }
    if (reports.length > 1 && bad) console.log(`${bad} of ${reports.length} files have problems`);
    return bad ? 1 : 0;
  },
};
