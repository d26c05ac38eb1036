/**
 * Flag parsing for every command: a thin layer over `node:util.parseArgs` that turns its
 * exceptions into one-line `UserError`s listing the valid flags.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../core/errors.ts';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<T extends FlagSpec>(command: string, argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    const valid = Object.keys(options)
      .map((k) => `--${k}`)
      .join(', ');
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new UserError('E_BAD_FLAG', `${msg}. Valid flags: ${valid}. See \`planarena ${command} --help\`.`);
  }
}

/** Parses a positive integer flag value, naming the flag in the error. */
export function intFlag(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UserError('E_BAD_FLAG', `--${name} must be an integer >= ${min}, got "${value}".`);
  return n;
}

/** Checks that `value` is one of `choices`, naming the flag and the valid choices in the error. */
export function choiceFlag<C extends string>(name: string, value: string | undefined, choices: readonly C[], fallback: C): C {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UserError('E_BAD_FLAG', `--${name} must be one of ${choices.join(', ')}; got "${value}".`);
  }
  return value as C;
}
