/**
 * One small validator for the collector's config: a reader over one object that checks each
 * key as it is read, remembers which keys it knew, and refuses the rest (a typo such as
 * `quotaByte` must not silently fall back to a default). Every refusal is one line naming the
 * key and what is expected, because that line is all an operator sees before exit code 2.
 */
import { CollectorError } from '../errors.js';

export class ConfigError extends CollectorError {
  constructor(
    readonly key: string,
    expected: string,
    got: unknown,
  ) {
    super('COLLECTOR_CONFIG_INVALID', `config: ${key} ${expected}, got ${describe(got)}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export interface IntRange {
  readonly min?: number;
  readonly max?: number;
  /** Said in the message, e.g. `bytes`. */
  readonly unit?: string;
}

export class ConfigReader {
  private readonly known = new Set<string>();

  constructor(
    private readonly values: Record<string, unknown>,
    /** Dotted path of this object, e.g. `wal` or `sinks[0]`. */
    readonly path: string,
  ) {}

  static of(value: unknown, path: string): ConfigReader {
    if (value === undefined || value === null) return new ConfigReader({}, path);
    if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(path || 'config', 'must be an object', value);
    return new ConfigReader(value as Record<string, unknown>, path);
  }

  key(name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`;
  }

  raw(name: string): unknown {
    this.known.add(name);
    return this.values[name];
  }

  int(name: string, fallback: number, range: IntRange = {}): number {
    const value = this.raw(name) ?? fallback;
    const min = range.min ?? 0;
    const max = range.max ?? Number.MAX_SAFE_INTEGER;
    const unit = range.unit ? ` (${range.unit})` : '';
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(this.key(name), `must be an integer from ${min} to ${max}${unit}`, value);
    }
    return value;
  }

  str(name: string, fallback?: string, pattern?: { re: RegExp; says: string }): string {
    const value = this.raw(name) ?? fallback;
    if (typeof value !== 'string' || value === '') throw new ConfigError(this.key(name), 'must be a non-empty string', value);
    if (pattern && !pattern.re.test(value)) throw new ConfigError(this.key(name), `must be ${pattern.says}`, value);
    return value;
  }

  optionalStr(name: string): string | undefined {
    return this.raw(name) === undefined ? undefined : this.str(name);
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name) ?? fallback;
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      throw new ConfigError(this.key(name), `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
    }
    return value as T;
  }

  strList(name: string, fallback: readonly string[], allowed?: readonly string[]): string[] {
    const value = this.raw(name) ?? fallback;
    const ok = Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== '' && (!allowed || allowed.includes(v)));
    if (!ok) throw new ConfigError(this.key(name), allowed ? `must be a list of ${allowed.map((a) => `"${a}"`).join(', ')}` : 'must be a list of non-empty strings', value);
    return [...(value as string[])];
  }

  section(name: string): ConfigReader {
    return ConfigReader.of(this.raw(name), this.key(name));
  }

  list(name: string, fallback: readonly unknown[]): ConfigReader[] {
    const value = this.raw(name) ?? fallback;
    if (!Array.isArray(value)) throw new ConfigError(this.key(name), 'must be a list', value);
    return value.map((item, i) => ConfigReader.of(item, `${this.key(name)}[${i}]`));
  }

  /** Refuses keys nobody read: call after reading every key of this object. */
  done(): void {
    for (const name of Object.keys(this.values)) {
      if (!this.known.has(name)) {
        throw new ConfigError(this.key(name), `is not a known key (known here: ${[...this.known].join(', ')})`, this.values[name]);
      }
    }
  }
}
