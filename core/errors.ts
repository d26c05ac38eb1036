/**
 * Errors at the edges of planarena. A `UserError` is something the user can fix: the CLI prints
 * its message (which names the file, field or flag and the fix) on one line, with no stack
 * trace, and exits with `exitCode`. Anything else is a bug and is printed with its stack.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    /** Stable machine-readable code, e.g. `E_SCENARIO_SCHEMA`, `E_UNKNOWN_PLANNER`. */
    readonly code: string,
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof Error && (e as { name?: string }).name === 'UserError' && typeof (e as UserError).code === 'string';
}

/**
 * A problem that must stop the whole run, not just the episode it happened in: going on would
 * produce numbers that mean something else (a replayed LLM cassette with no reply for a decision
 * would otherwise turn into a silent per-episode failure averaged into the results). The episode
 * loop lets it through; the pipeline stops and the CLI prints it like any `UserError`.
 */
export class RunAbort extends UserError {
  readonly abortsRun = true;
}

export function isRunAbort(e: unknown): e is RunAbort {
  return isUserError(e) && (e as { abortsRun?: unknown }).abortsRun === true;
}
