// Argument checks at the engine boundary: commands arrive as JSON, so every field is checked and a bad one
// is an `invalid-argument` EngineError, never a crash.
import { fail } from './errors';

export function reqString(obj: object, key: string): string {
  const v = (obj as Record<string, unknown>)[key];
  if (typeof v !== 'string' || v.length === 0)
    fail('invalid-argument', `'${key}' must be a non-empty string`);
  return v;
}

export function optString(obj: object, key: string): string | undefined {
  const v = (obj as Record<string, unknown>)[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail('invalid-argument', `'${key}' must be a string`);
  return v;
}

export function reqInt(obj: object, key: string, min: number, max: number): number {
  const v = (obj as Record<string, unknown>)[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail('invalid-argument', `'${key}' must be an integer in [${min}, ${max}]`);
  }
  return v;
}

export function optInt(obj: object, key: string, min: number, max: number): number | undefined {
  const v = (obj as Record<string, unknown>)[key];
  if (v === undefined || v === null) return undefined;
  return reqInt(obj, key, min, max);
}

export function optBool(obj: object, key: string): boolean | undefined {
  const v = (obj as Record<string, unknown>)[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail('invalid-argument', `'${key}' must be a boolean`);
  return v;
}

export function optStringArray(obj: object, key: string): string[] | undefined {
  const v = (obj as Record<string, unknown>)[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    fail('invalid-argument', `'${key}' must be an array of strings`);
  }
  return v as string[];
}

export function oneOf<T extends string>(obj: object, key: string, values: readonly T[]): T {
  const v = (obj as Record<string, unknown>)[key];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    fail('invalid-argument', `'${key}' must be one of ${values.join(', ')}`);
  }
  return v as T;
}
