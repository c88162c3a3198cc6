/** Field checks shared by the configuration validators; every message names the field's path. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function unknownKeys(obj: Json, allowed: string[], path: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k))
      throw new ConfigError(`${path}${k}: unknown setting (allowed: ${allowed.join(', ')})`);
  }
}

export function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(
      `${path}: must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`,
    );
  }
  return v;
}

export function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length === 0)
    throw new ConfigError(`${path}: must be a non-empty string`);
  return v;
}

export function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) {
    throw new ConfigError(
      `${path}: must be one of ${values.join(', ')} (got ${JSON.stringify(v)})`,
    );
  }
  return v as T;
}
