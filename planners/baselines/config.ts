/**
 * Reading a baseline's settings from `PlannerOptions.config`. The runner hands every factory the
 * same config (all `--set key=value` pairs), so each baseline reads only keys under its own
 * prefix (`oracleSamples`, from `--set oracle-samples=64`) and ignores the rest.
 */
import { UserError } from '../../core/errors.ts';

/** A number setting `key` from `config`, an integer when `integer`, within [min, max]. */
export function numberSetting(config: Record<string, unknown>, key: string, fallback: number, min: number, max: number, integer = false): number {
  const raw = config[key];
  if (raw === undefined) return fallback;
  const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  const flag = `--set ${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    throw new UserError('E_PLANNER_CONFIG', `${flag}=${String(raw)}: must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (default ${fallback}).`);
  }
  return v;
}
