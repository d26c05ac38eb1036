/**
 * `planarena validate [FILE...]`: checks scenario and suite files (schema and semantics) and
 * prints `ok FILE` per good file and `FILE: $.path: message` per problem. Exit 1 if any file is
 * bad. Without FILE, checks every shipped scenario and suite.
 */
import { parseFlags } from '../args.ts';
import { isUserError } from '../errors.ts';
import type { Command } from '../main.ts';
import { checkFile, displayPath, shippedFiles } from '../../scenarios/load.ts';
import { formatProblem } from '../../scenarios/problems.ts';

export const command: Command = {
  name: 'validate',
  summary: 'check scenario or suite files',
  usage: [
    'usage: planarena validate [FILE...] [--quiet]',
    '',
    'Checks scenario and suite files against the schema and the semantic rules (goal inside an',
    'obstacle, overlapping bodies, things outside the arena, unknown ids, timing, arm reach, and',
    'randomisation that could cause any of these at some seed). A file with "robot" or "goal" is',
    'a scenario; one with "scenarios" is a suite; otherwise its "$schema" decides, then its folder',
    '(suites/ holds suites); anything else is checked as a scenario.',
    '',
    'Prints "ok FILE" for each good file and "FILE: $.path: problem" for each problem.',
    'Exit status 1 if any file is bad, 0 otherwise. Without FILE, checks every shipped',
    'scenario and suite.',
    '',
    '  --quiet   print only problems',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags('validate', argv, { quiet: { type: 'boolean' } });
    const files = positionals.length ? positionals : shippedFiles();
    let bad = 0;
    for (const file of files) {
      const shown = positionals.length ? file : displayPath(file);
      try {
        const result = checkFile(file);
        if (result.ok) {
          if (!values.quiet) console.log(`ok ${shown}`);
          continue;
        }
        bad++;
        for (const p of result.problems) console.log(formatProblem(shown, p));
      } catch (e) {
        // Unreadable files are reported like any other bad file; the remaining files still get checked.
        if (!isUserError(e)) throw e;
        bad++;
        console.log(e.message);
      }
    }
    if (files.length > 1 && bad) console.log(`${bad} of ${files.length} files have problems`);
    return bad ? 1 : 0;
  },
};
