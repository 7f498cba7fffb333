/**
 * One small validator for the collector's config: a reader over one object that checks each
 * key as it is read, remembers which keys it knew, and refuses the rest (a typo such as
 * `quotaByte` must not silently fall back to a default). Every refusal is one line naming the
 * key and what is expected, because that line is all an operator sees before exit code 2.
 *
 * Each read also asks the environment for the variable named after the key's path
 * (./config-env.ts), which wins over the file, and records the resolved value for the start-up
 * report (./config-settings.ts). Typed reads convert the variable's text (`"3"` → 3,
 * `"true"` → true, `a,b` or JSON → a list), so a value keeps its meaning whichever source set it.
 */
import { CollectorError } from '../errors.js';
import { EnvSource, envSegment } from './config-env.js';
import { SettingsTrace, type SettingOrigin } from './config-settings.js';

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

/** What every reader of one parse shares: the environment and the settings trace. */
export interface ReaderContext {
  readonly env: EnvSource;
  readonly trace: SettingsTrace;
}

/** How entries of a list are named in variables: `sinks` entries by `name` (or `type`), `sources` by `id`. */
export interface ListEnvNaming {
  /** The entry key whose value names the entry in variables; never itself read from a variable. */
  readonly by: string;
  readonly fallbackBy?: string;
  /** Further keys that identify the entry and are read from the file only. */
  readonly fixed?: readonly string[];
}

interface Picked {
  readonly value: unknown;
  readonly from: SettingOrigin;
  readonly envName?: string;
}

export class ConfigReader {
  private readonly known = new Set<string>();

  constructor(
    private readonly values: Record<string, unknown>,
    /** Dotted path of this object, e.g. `wal` or `sinks[0]`. */
    readonly path: string,
    private readonly context: ReaderContext = { env: EnvSource.empty(), trace: new SettingsTrace() },
    /** Variable name of this object (`SHOPSTREAM_WAL`); undefined: its keys come from the file only. */
    private readonly envName: string | undefined = undefined,
    /** Keys never read from a variable (an entry's identity). */
    private readonly fileOnly: readonly string[] = [],
  ) {}

  static of(value: unknown, path: string, context?: ReaderContext, envName?: string, fileOnly?: readonly string[]): ConfigReader {
    if (value === undefined || value === null) return new ConfigReader({}, path, context, envName, fileOnly);
    if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(path || 'config', 'must be an object', value);
    return new ConfigReader(value as Record<string, unknown>, path, context, envName, fileOnly);
  }

  key(name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`;
  }

  /** The variable that sets `name` here, if variables reach this object. */
  envNameOf(name: string): string | undefined {
    return this.envName === undefined || this.fileOnly.includes(name) ? undefined : `${this.envName}_${envSegment(name)}`;
  }

  private pick(name: string): Picked {
    this.known.add(name);
    const envName = this.envNameOf(name);
    const fromEnv = envName === undefined ? undefined : this.context.env.get(envName);
    if (fromEnv !== undefined) return { value: fromEnv.value, from: 'env', envName: fromEnv.name };
    const value = this.values[name];
    return { value, from: value === undefined ? 'default' : 'file' };
  }

  /** Where a refused value came from, so the line names the variable to fix. */
  private where(name: string, picked: Picked): string {
    return picked.from === 'env' ? `${this.key(name)} (from ${picked.envName})` : this.key(name);
  }

  private resolved<T>(name: string, picked: Picked, value: T): T {
    this.context.trace.record(this.key(name), value, picked.from, picked.envName);
    return value;
  }

  /** The value as given (a variable's text unconverted); records nothing. */
  raw(name: string): unknown {
    return this.pick(name).value;
  }

  /** True when the file has `name` or some variable sets a key below it (a section set only from the environment). */
  present(name: string): boolean {
    if (this.raw(name) !== undefined) return true;
    const envName = this.envNameOf(name);
    return envName !== undefined && this.context.env.hasUnder(envName);
  }

  int(name: string, fallback: number, range: IntRange = {}): number {
    const picked = this.pick(name);
    const given = picked.from === 'env' && /^-?\d+$/.test(picked.value as string) ? Number(picked.value) : picked.value;
    const value = given ?? fallback;
    const min = range.min ?? 0;
    const max = range.max ?? Number.MAX_SAFE_INTEGER;
    const unit = range.unit ? ` (${range.unit})` : '';
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(this.where(name, picked), `must be an integer from ${min} to ${max}${unit}`, value);
    }
    return this.resolved(name, picked, value);
  }

  str(name: string, fallback?: string, pattern?: { re: RegExp; says: string }): string {
    const picked = this.pick(name);
    const value = picked.value ?? fallback;
    if (typeof value !== 'string' || value === '') throw new ConfigError(this.where(name, picked), 'must be a non-empty string', value);
    if (pattern && !pattern.re.test(value)) throw new ConfigError(this.where(name, picked), `must be ${pattern.says}`, value);
    return this.resolved(name, picked, value);
  }

  optionalStr(name: string): string | undefined {
    return this.raw(name) === undefined ? undefined : this.str(name);
  }

  bool(name: string, fallback: boolean): boolean {
    const picked = this.pick(name);
    const given = picked.from === 'env' && /^(true|false)$/.test(picked.value as string) ? picked.value === 'true' : picked.value;
    const value = given ?? fallback;
    if (typeof value !== 'boolean') throw new ConfigError(this.where(name, picked), 'must be true or false', value);
    return this.resolved(name, picked, value);
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const picked = this.pick(name);
    const value = picked.value ?? fallback;
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      throw new ConfigError(this.where(name, picked), `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
    }
    return this.resolved(name, picked, value as T);
  }

  /** A variable gives JSON (`["a","b"]`) or a comma-separated list (`a,b`). */
  strList(name: string, fallback: readonly string[], allowed?: readonly string[]): string[] {
    const picked = this.pick(name);
    const given = picked.from === 'env' ? envList(picked, this.where(name, picked)) : picked.value;
    const value = given ?? fallback;
    const ok = Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== '' && (!allowed || allowed.includes(v)));
    if (!ok) throw new ConfigError(this.where(name, picked), allowed ? `must be a list of ${allowed.map((a) => `"${a}"`).join(', ')}` : 'must be a list of non-empty strings', value);
    return this.resolved(name, picked, [...(value as string[])]);
  }

  /** A section: its keys may come from variables `<this>_<NAME>_<KEY>`. */
  section(name: string): ConfigReader {
    const value = this.values[name];
    this.known.add(name);
    const envName = this.envNameOf(name);
    return ConfigReader.of(value, this.key(name), this.context, envName);
  }

  /**
   * A list: the file's, or a variable's JSON. With `naming`, each entry's keys may also come from
   * variables `<list>_<ENTRY NAME>_<KEY>` (`SHOPSTREAM_SOURCES_ORDERS_SECRET`).
   */
  list(name: string, fallback: readonly unknown[], naming?: ListEnvNaming): ConfigReader[] {
    const picked = this.pick(name);
    const given = picked.from === 'env' ? envJson(picked, this.where(name, picked)) : picked.value;
    const value = given ?? fallback;
    if (!Array.isArray(value)) throw new ConfigError(this.where(name, picked), 'must be a list', value);
    const listEnv = this.envNameOf(name);
    return value.map((item, i) => {
      const entryName = naming && item && typeof item === 'object' ? ((item as Record<string, unknown>)[naming.by] ?? (naming.fallbackBy ? (item as Record<string, unknown>)[naming.fallbackBy] : undefined)) : undefined;
      const entryEnv = listEnv !== undefined && typeof entryName === 'string' && entryName !== '' ? `${listEnv}_${envSegment(entryName)}` : undefined;
      return ConfigReader.of(item, `${this.key(name)}[${i}]`, this.context, entryEnv, naming ? [naming.by, ...(naming.fixed ?? [])] : []);
    });
  }

  /**
   * Marks a variable this entry names (`urlEnv: SHOPSTREAM_POSTGRES_URL`, read by the sink itself)
   * as known, so the start does not refuse it as a mistyped `SHOPSTREAM_*` name.
   */
  claimEnv(name: string): void {
    this.context.env.markUsed(name);
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

function envJson(picked: Picked, where: string): unknown {
  try {
    return JSON.parse(picked.value as string);
  } catch {
    throw new ConfigError(where, 'must be JSON', picked.value);
  }
}

function envList(picked: Picked, where: string): unknown {
  const text = (picked.value as string).trim();
  return text.startsWith('[') ? envJson(picked, where) : text.split(',').map((item) => item.trim());
}
