/**
 * `wal.archive` and `wal.ack` of the collector config (../README.md "Archive"):
 * `archive: { bucket, prefix?, region?, endpoint?, intervalMs?: 1000, partBytesMax?: 8 MiB,
 * cursorWaitMsMax?: 30000,
 * ackTimeoutMs?: 10000 }`, off when absent; `ack: local | replicated` (replicated needs an archive).
 */
import { ConfigError, type ConfigReader } from '../../config/config-reader.js';
import { readAwsClientOptions } from '../../sinks/aws/sink-type-common.js';
import type { AwsClientOptions } from '../../sinks/aws/clients.js';
import type { ArchiveAck } from './wal-shipper.js';

const MIB = 1024 * 1024;

export interface WalArchiveConfig {
  readonly bucket: string;
  /** Key prefix; the node's archive is `<prefix>/<nodeId>/`. */
  readonly prefix: string;
  readonly client: AwsClientOptions;
  /** `ack: local`: how often durable bytes ship (the recovery point is about this plus one PUT). */
  readonly intervalMs: number;
  readonly partBytesMax: number;
  /** Longest a sink's batch waits for the archive to hold it before the sink retries. */
  readonly cursorWaitMsMax: number;
  /** `ack: replicated`: longest a request waits for the archive before it is answered 503 (not acknowledged). */
  readonly ackTimeoutMs: number;
}

export function parseWalArchive(wal: ConfigReader): { archive?: WalArchiveConfig; ack: ArchiveAck } {
  const ack = wal.oneOf<ArchiveAck>('ack', 'local', ['local', 'replicated']);
  if (wal.raw('archive') === undefined) {
    if (ack === 'replicated') throw new ConfigError(wal.key('ack'), '"replicated" needs wal.archive (the S3 location acknowledgements wait for)', ack);
    return { ack };
  }
  const entry = wal.section('archive');
  const archive: WalArchiveConfig = {
    bucket: entry.str('bucket', undefined, { re: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, says: 'an S3 bucket name (3-63 of a-z 0-9 . -)' }),
    prefix: entry.optionalStr('prefix') ?? 'wal-archive',
    client: readAwsClientOptions(entry),
    intervalMs: entry.int('intervalMs', 1_000, { min: 10, max: 3_600_000, unit: 'ms' }),
    partBytesMax: entry.int('partBytesMax', 8 * MIB, { min: 64 * 1024, max: 1024 * MIB, unit: 'bytes' }),
    cursorWaitMsMax: entry.int('cursorWaitMsMax', 30_000, { min: 100, max: 3_600_000, unit: 'ms' }),
    ackTimeoutMs: entry.int('ackTimeoutMs', 10_000, { min: 100, max: 600_000, unit: 'ms' }),
  };
  entry.done();
  return { archive, ack };
}
