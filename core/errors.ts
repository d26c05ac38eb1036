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
