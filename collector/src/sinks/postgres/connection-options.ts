/**
 * Turns the sink's config into `pg` client options: the URL's parts, TLS as the config says it
 * (the URL's `sslmode` is ignored: one place decides), a statement timeout so a stuck query
 * cannot hold the sink past the engine's write deadline, and the password: from the URL, or an
 * RDS IAM token signed per connection (./iam-token.ts).
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { ClientConfig } from 'pg';
import { CollectorError } from '../../errors.js';
import type { PostgresSinkConfig, PostgresTlsConfig } from './postgres-config.js';

export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  readonly password?: string;
}

/** The URL from the config, else from the environment variable `urlEnv` names. */
export function resolveUrl(config: PostgresSinkConfig, env: NodeJS.ProcessEnv): string {
  const url = config.url ?? env[config.urlEnv];
  if (url === undefined || url === '') throw new CollectorError('COLLECTOR_CONFIG_INVALID', `config: a postgres sink needs \`url\` or the environment variable ${config.urlEnv}`);
  return url;
}

export function parseTarget(url: string): ConnectionTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CollectorError('COLLECTOR_CONFIG_INVALID', 'config: the postgres URL does not parse (postgres://user[:password]@host[:port]/database)');
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol) || parsed.hostname === '') throw new CollectorError('COLLECTOR_CONFIG_INVALID', 'config: the postgres URL must look like postgres://user[:password]@host[:port]/database');
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    user: decodeURIComponent(parsed.username || 'postgres'),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '') || 'postgres'),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
}

export function tlsOptions(tls: PostgresTlsConfig, host: string, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): false | ConnectionOptions {
  if (tls.mode === 'disable') return false;
  const ca = tls.caFile === undefined ? {} : { ca: readFile(tls.caFile) };
  if (tls.mode === 'require') return { rejectUnauthorized: false, ...ca };
  const servername = tls.serverName ?? host;
  if (tls.mode === 'verify-ca') return { rejectUnauthorized: true, servername, checkServerIdentity: () => undefined, ...ca };
  return { rejectUnauthorized: true, servername, ...ca };
}

export function clientConfig(config: PostgresSinkConfig, target: ConnectionTarget, password: ClientConfig['password']): ClientConfig {
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    database: target.database,
    ...(password === undefined ? {} : { password }),
    ssl: tlsOptions(config.tls, target.host),
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    application_name: 'shopstream-collector',
    keepAlive: true,
  };
}
