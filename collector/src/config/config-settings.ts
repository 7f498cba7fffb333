/**
 * Every setting the parser resolved, with where it came from, for the start-up report: an
 * operator sees the whole effective config (defaults included) once, and secrets never reach a
 * log. A key is secret by its name (write keys, HMAC secrets, PII and decryption keys); a URL
 * anywhere loses the password in its user info (`redis://:pw@host` → `redis://:***@host`).
 */

export type SettingOrigin = 'default' | 'file' | 'env';

export interface Setting {
  /** Dotted config path, e.g. `ingest.dedupe.redisUrl` or `sinks[1].streamName`. */
  readonly path: string;
  /** The value as printed: secrets masked. */
  readonly value: unknown;
  readonly from: SettingOrigin;
  /** The variable that set it, when `from` is `env`. */
  readonly envName?: string;
}

const SECRET_KEY = /^(writeKey|secret|key|hashKey|encryptKey|privateKeyJwk|password|token)$|(Secret|Password|Token)$/;

export function isSecretKey(path: string): boolean {
  const last = path.slice(path.lastIndexOf('.') + 1).replace(/\[\d+\]$/, '');
  return SECRET_KEY.test(last);
}

export function maskValue(path: string, value: unknown): unknown {
  if (value === undefined) return value;
  if (isSecretKey(path)) return typeof value === 'string' ? `*** (${value.length} chars)` : '***';
  if (typeof value === 'string') return maskUrlPassword(value);
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? maskUrlPassword(item) : item));
  return value;
}

function maskUrlPassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@/\s]+@/i, '$1***@');
}

/** Collects settings as the parser reads them; the last read of a path wins. */
export class SettingsTrace {
  private readonly byPath = new Map<string, Setting>();

  record(path: string, value: unknown, from: SettingOrigin, envName?: string): void {
    this.byPath.set(path, { path, value: maskValue(path, value), from, ...(envName ? { envName } : {}) });
  }

  all(): Setting[] {
    return [...this.byPath.values()];
  }
}

/** Settings as one object (`{ "wal.dir": "./data/wal", ... }`) for a JSON log line. */
export function settingsObject(settings: readonly Setting[]): Record<string, unknown> {
  return Object.fromEntries(settings.map((s) => [s.path, s.value]));
}

/** One human line per top-level section: `wal  dir=./data/wal quotaBytes=1073741824 (SHOPSTREAM_WAL_QUOTA_BYTES) ...`. */
export function describeSettings(settings: readonly Setting[]): string[] {
  const sections = new Map<string, string[]>();
  for (const setting of settings) {
    const dot = setting.path.search(/[.[]/);
    const section = dot < 0 ? setting.path : setting.path.slice(0, dot);
    const rest = dot < 0 ? setting.path : setting.path.slice(setting.path[dot] === '.' ? dot + 1 : dot);
    const marker = setting.from === 'env' ? ` (${setting.envName})` : '';
    const parts = sections.get(section) ?? [];
    parts.push(`${rest}=${typeof setting.value === 'string' ? setting.value : JSON.stringify(setting.value)}${marker}`);
    sections.set(section, parts);
  }
  return [...sections].map(([section, parts]) => `${section.padEnd(10)} ${parts.join(' ')}`);
}
