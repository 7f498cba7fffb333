/**
 * The archive as the collector runs it: a shipper on the writer's thread and the cursor wrapper
 * for whichever thread delivers (../README.md "Archive"). Failures are logged when a streak
 * starts and then at 2, 4, 8, ... consecutive failures, never once per retry.
 */
import type { Logger } from 'pino';
import { LogEvent } from '../../telemetry/events.js';
import type { CursorStore } from '../cursor-store.js';
import type { WalFs } from '../wal-fs.js';
import type { WalShipperOptions } from './wal-shipper.js';
import { WalShipper, type ArchiveAck } from './wal-shipper.js';
import type { WalArchiveConfig } from './archive-config.js';
import { openArchive } from './open-archive.js';
import { archivingCursorStore } from './archiving-cursor-store.js';

export interface RunningWalArchive {
  readonly shipper: WalShipper;
}

export async function startWalArchive(options: {
  readonly config: WalArchiveConfig;
  readonly ack: ArchiveAck;
  readonly nodeId: string;
  readonly wal: WalShipperOptions['wal'];
  readonly dir: string;
  readonly log: Logger;
  readonly fs?: WalFs;
}): Promise<RunningWalArchive> {
  const { config, log } = options;
  const { store, base } = openArchive(config, options.nodeId);
  const shipper = new WalShipper({
    wal: options.wal,
    dir: options.dir,
    ...(options.fs ? { fs: options.fs } : {}),
    store,
    base,
    nodeId: options.nodeId,
    ack: options.ack,
    intervalMs: config.intervalMs,
    partBytesMax: config.partBytesMax,
    onError: (error, failures) => {
      if ((failures & (failures - 1)) === 0) log.error({ event: LogEvent.WalArchiveShipError, err: error, failures, bucket: config.bucket, base }, `WAL archive: shipping to s3://${config.bucket}/${base} failed (${failures} in a row); retrying`);
    },
  });
  await shipper.start();
  log.info({ event: LogEvent.WalArchiveStarted, bucket: config.bucket, base, ack: options.ack }, `WAL archive: shipping to s3://${config.bucket}/${base} (ack ${options.ack})`);
  return { shipper };
}

/** The sinks' cursor store, kept in step with the archive (./archiving-cursor-store.ts). */
export function archivedCursors(inner: CursorStore, config: WalArchiveConfig, nodeId: string, log: Logger): CursorStore {
  let failures = 0;
  return archivingCursorStore(inner, {
    ...openArchive(config, nodeId),
    waitMsMax: config.cursorWaitMsMax,
    onError: (error) => {
      failures += 1;
      if ((failures & (failures - 1)) === 0) log.warn({ event: LogEvent.WalArchiveCursorError, err: error, failures }, `WAL archive: a cursor upload failed (${failures} so far); the next save uploads the latest state`);
    },
  });
}
