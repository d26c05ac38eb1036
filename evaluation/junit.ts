/**
 * JUnit XML, the format every CI system (GitHub Actions reporters, GitLab, Jenkins, Buildkite)
 * shows as test results: one `<testsuite>` with one `<testcase>` per scenario × planner.
 */

export interface JUnitCase {
  /** Grouping shown by CI tools, e.g. the scenario. */
  classname: string;
  name: string;
  /** Seconds. */
  time: number;
  failure?: { type: string; message: string; details?: string };
  skipped?: string;
  /** Extra text shown with the case (e.g. the comparison's detail line). */
  output?: string;
}

/** XML 1.0 text: escapes markup and drops characters XML cannot hold at all. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function toJUnit(suite: string, cases: readonly JUnitCase[], timestamp = new Date().toISOString()): string {
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => !c.failure && c.skipped !== undefined).length;
  const time = cases.reduce((s, c) => s + c.time, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="planarena" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}" timestamp="${xmlEscape(timestamp.replace(/\.\d+Z$/, ''))}">`,
  ];
  for (const c of cases) {
    const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}" time="${c.time.toFixed(3)}"`;
    const inner: string[] = [];
    if (c.failure) {
      inner.push(`      <failure type="${xmlEscape(c.failure.type)}" message="${xmlEscape(c.failure.message)}">${xmlEscape(c.failure.details ?? c.failure.message)}</failure>`);
    } else if (c.skipped !== undefined) {
      inner.push(`      <skipped message="${xmlEscape(c.skipped)}"/>`);
    }
    if (c.output) inner.push(`      <system-out>${xmlEscape(c.output)}</system-out>`);
    lines.push(inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join('\n')}\n    </testcase>`);
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
