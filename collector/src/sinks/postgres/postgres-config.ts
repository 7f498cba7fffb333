/**
 * The `postgres` entry of `sinks[]`, read and checked once into its own type:
 *
 *   { type: postgres, name: pg, url?: postgres://user@host:5432/db, urlEnv?: SHOPSTREAM_POSTGRES_URL,
 *     schema?: shopstream, migrate?: false, method?: copy|insert,
 *     tls?: { mode?: disable|require|verify-ca|verify-full, caFile?, serverName? },
 *     iam?: { region?, username? },
 *     partitions?: { manage?: true, aheadDays?: 3, retentionDays?, checkIntervalMs?: 3600000 },
 *     connectTimeoutMs?: 10000, statementTimeoutMs?: 60000, narrowBudgetMs?: 10000 }
 *
 * The URL may hold a password, so it can come from the environment instead (`urlEnv` names the
 * variable); it is read when the sink is built, so `sink sql` needs no database at all.
 */
import { ConfigError, type ConfigReader } from '../../config/config-reader.js';
import { readBoolean } from '../aws/sink-type-common.js';

export type TlsMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';
export type WriteMethod = 'copy' | 'insert';

export interface PostgresTlsConfig {
  /** `require` encrypts without checking the certificate; `verify-ca` checks the chain; `verify-full` also the host name. */
  readonly mode: TlsMode;
  /** PEM bundle to trust (for RDS: the region's or the global bundle from AWS). */
  readonly caFile?: string;
  /** Host name the certificate must name, when it differs from the URL's (a proxy or tunnel). */
  readonly serverName?: string;
}

export interface PostgresIamConfig {
  /** Region of the RDS instance; the SDK's default chain when absent. */
  readonly region?: string;
  /** Database user to sign for; the URL's user when absent. */
  readonly username?: string;
}

export interface PartitionConfig {
  /** Create day partitions ahead and drop expired ones (needs CREATE rights on the schema). */
  readonly manage: boolean;
  readonly aheadDays: number;
  /** Days of data kept; partitions wholly older are dropped. Absent: kept forever. */
  readonly retentionDays?: number;
  readonly checkIntervalMs: number;
}

export interface PostgresSinkConfig {
  readonly url?: string;
  readonly urlEnv: string;
  readonly schema: string;
  readonly migrate: boolean;
  readonly method: WriteMethod;
  readonly tls: PostgresTlsConfig;
  readonly iam?: PostgresIamConfig;
  readonly partitions: PartitionConfig;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /** Time one write may spend narrowing refused rows down before it hands the rest back for the next write. */
  readonly narrowBudgetMs: number;
}

const URL_RE = /^postgres(ql)?:\/\/[^\s]+$/;
const IDENT = { re: /^[a-z_][a-z0-9_]{0,62}$/, says: 'a lower-case SQL identifier (a-z 0-9 _, up to 63)' };
const ENV_NAME = { re: /^[A-Z_][A-Z0-9_]*$/, says: 'an environment variable name' };

export function readPostgresSinkConfig(entry: ConfigReader): PostgresSinkConfig {
  const url = entry.optionalStr('url');
  if (url !== undefined && !URL_RE.test(url)) throw new ConfigError(entry.key('url'), 'must be a postgres:// URL', url.replace(/:[^:@/]*@/, ':***@'));
  const tlsEntry = entry.section('tls');
  const iamEntry = entry.raw('iam') === undefined ? undefined : entry.section('iam');
  const tls: PostgresTlsConfig = {
    mode: tlsEntry.oneOf<TlsMode>('mode', iamEntry ? 'verify-full' : 'disable', ['disable', 'require', 'verify-ca', 'verify-full']),
    ...optional('caFile', tlsEntry.optionalStr('caFile')),
    ...optional('serverName', tlsEntry.optionalStr('serverName')),
  };
  tlsEntry.done();
  if (iamEntry && tls.mode === 'disable') throw new ConfigError(entry.key('tls.mode'), 'must not be "disable" with iam (RDS takes IAM tokens over TLS only)', tls.mode);
  const iam = iamEntry && { ...optional('region', iamEntry.optionalStr('region')), ...optional('username', iamEntry.optionalStr('username')) };
  iamEntry?.done();
  const partitionsEntry = entry.section('partitions');
  const retentionDays = partitionsEntry.raw('retentionDays') === undefined ? undefined : partitionsEntry.int('retentionDays', 0, { min: 1, max: 36_500, unit: 'days' });
  const partitions: PartitionConfig = {
    manage: readBoolean(partitionsEntry, 'manage', true),
    aheadDays: partitionsEntry.int('aheadDays', 3, { min: 0, max: 366, unit: 'days' }),
    ...optional('retentionDays', retentionDays),
    checkIntervalMs: partitionsEntry.int('checkIntervalMs', 3_600_000, { min: 1_000, max: 86_400_000, unit: 'ms' }),
  };
  partitionsEntry.done();
  return {
    ...optional('url', url),
    urlEnv: claimed(entry, entry.str('urlEnv', 'SHOPSTREAM_POSTGRES_URL', ENV_NAME)),
    schema: entry.str('schema', 'shopstream', IDENT),
    migrate: readBoolean(entry, 'migrate', false),
    method: entry.oneOf<WriteMethod>('method', 'copy', ['copy', 'insert']),
    tls,
    ...optional('iam', iam),
    partitions,
    connectTimeoutMs: entry.int('connectTimeoutMs', 10_000, { min: 100, max: 600_000, unit: 'ms' }),
    statementTimeoutMs: entry.int('statementTimeoutMs', 60_000, { min: 100, max: 3_600_000, unit: 'ms' }),
    narrowBudgetMs: entry.int('narrowBudgetMs', 10_000, { min: 0, max: 600_000, unit: 'ms' }),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The variable `urlEnv` names is the sink's to read: the config's unknown-variable check skips it. */
function claimed(entry: ConfigReader, envName: string): string {
  entry.claimEnv(envName);
  return envName;
}
