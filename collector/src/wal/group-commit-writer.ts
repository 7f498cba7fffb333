import { join } from 'node:path';
import { WalError, walWriteError } from './errors.js';
import type { ResolvedWalOptions } from './options.js';
import { encodeRecordHeader, RECORD_HEADER_BYTES } from './record-format.js';
import { segmentFileName } from './segment-files.js';
import type { SegmentEntry, SegmentTable } from './segment-table.js';
import { writeFully, type WalFile } from './wal-fs.js';
import type { Lsn } from './wal.js';

interface PendingAppend {
  readonly records: readonly Uint8Array[];
  readonly bytes: number;
  readonly resolve: (lsns: Lsn[]) => void;
  readonly reject: (error: Error) => void;
}

/** Counters the writer keeps for `stats()`. */
export interface WriterCounters {
  appendedRecords: number;
  appendedBytes: number;
  fsyncCount: number;
  lastFsyncLatencyMs: number;
}

/**
 * Appends with group commit (README invariants 1, 2, 4, 5): appends queue while a write/fsync is
 * in flight and the next group takes them all (up to `groupBytesMax`) into one write and one
 * fdatasync. Only this class writes segments; everything runs in one loop, so writes, rolls,
 * background syncs and rollbacks never overlap.
 */
export class GroupCommitWriter {
  readonly counters: WriterCounters = { appendedRecords: 0, appendedBytes: 0, fsyncCount: 0, lastFsyncLatencyMs: 0 };
  private queue: PendingAppend[] = [];
  private queuedBytes = 0;
  private running = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};
  /** Bytes written to the active segment, acknowledged or not. */
  private writtenBytes: number;
  /** Written but not yet fdatasync'ed. */
  private unsynced = { bytes: 0, records: 0 };
  private handleOpen = true;
  private syncDue = false;
  private failure: WalError | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: ResolvedWalOptions,
    private readonly table: SegmentTable,
    private file: WalFile,
    /** Called when more bytes became durable and visible to readers, to wake them. */
    private readonly onAcknowledged: () => void,
  ) {
    this.writtenBytes = table.active.size;
    const policy = options.fsync;
    if (policy.mode === 'interval') {
      this.timer = setInterval(() => {
        if (this.unsynced.bytes === 0) return;
        this.syncDue = true;
        this.kick();
      }, policy.intervalMs);
      this.timer.unref();
    }
  }

  get bytesQueued(): number {
    return this.queuedBytes;
  }

  append(records: readonly Uint8Array[]): Promise<Lsn[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (records.length === 0) return Promise.resolve([]);
    let bytes = 0;
    for (const record of records) {
      if (record.length > this.options.recordBytesMax) {
        return Promise.reject(new WalError('COLLECTOR_WAL_RECORD_TOO_LARGE', `A record of ${record.length} bytes exceeds the write-ahead log's limit of ${this.options.recordBytesMax} bytes.`));
      }
      bytes += RECORD_HEADER_BYTES + record.length;
    }
    if (this.queuedBytes + bytes > this.options.queueBytesMax && this.queue.length > 0) {
      return Promise.reject(new WalError('COLLECTOR_WAL_OVERLOADED', `The write-ahead log has ${this.queuedBytes} bytes waiting to be written (limit ${this.options.queueBytesMax}); retry shortly.`));
    }
    return new Promise<Lsn[]>((resolve, reject) => {
      this.queue.push({ records, bytes, resolve, reject });
      this.queuedBytes += bytes;
      this.kick();
    });
  }

  /** Waits for queued appends, syncs what interval mode left unsynced, closes the segment. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.idle;
    if (this.unsynced.bytes > 0 && !this.failure) await this.syncAndPublish().catch((error: unknown) => this.options.onSyncError?.(error as Error));
    if (this.handleOpen) await this.file.close();
    this.handleOpen = false;
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    this.idle = new Promise((resolve) => (this.markIdle = resolve));
    void this.loop();
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0 || this.syncDue) {
      // A due sync goes first: under steady load the queue never empties, and readers see only
      // synced bytes, so a sync waiting for an idle moment would stall delivery and widen the loss window.
      if (this.syncDue) {
        this.syncDue = false;
        // Acknowledged already (interval mode): a failed sync can only be reported and retried.
        await this.syncAndPublish().catch((error: unknown) => this.options.onSyncError?.(walWriteError(error, 'sync the log in the background')));
      } else {
        await this.commit(this.takeGroup());
      }
    }
    this.running = false;
    this.markIdle();
  }

  private takeGroup(): PendingAppend[] {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length && (count === 0 || bytes + this.queue[count]!.bytes <= this.options.groupBytesMax)) {
      bytes += this.queue[count]!.bytes;
      count += 1;
    }
    this.queuedBytes -= bytes;
    return this.queue.splice(0, count);
  }

  private async commit(group: PendingAppend[]): Promise<void> {
    if (this.failure) {
      for (const pending of group) pending.reject(this.failure);
      return;
    }
    const start = { active: this.table.active, writtenBytes: this.writtenBytes };
    const lsns: Lsn[][] = group.map(() => []);
    /** Final sizes of segments sealed during this group, applied on success. */
    const sealed: Array<[SegmentEntry, number]> = [];
    let run: Uint8Array[] = [];
    let runBytes = 0;
    let records = 0;
    let recordsTotal = 0;
    try {
      for (let i = 0; i < group.length; i++) {
        for (const record of group[i]!.records) {
          const bytes = RECORD_HEADER_BYTES + record.length;
          const used = this.writtenBytes + runBytes;
          if (used > 0 && used + bytes > this.options.segmentBytesMax) {
            await this.writeRun(run, records);
            records = 0;
            run = [];
            runBytes = 0;
            sealed.push([this.table.active, this.writtenBytes]);
            await this.roll();
          }
          lsns[i]!.push(this.table.active.firstLsn + this.writtenBytes + runBytes);
          run.push(encodeRecordHeader(record), record);
          runBytes += bytes;
          records += 1;
          recordsTotal += 1;
        }
      }
      await this.writeRun(run, records);
      if (this.options.fsync.mode === 'always') await this.sync();
    } catch (error) {
      const typed = walWriteError(error, 'write a batch');
      await this.rollback(start);
      for (const pending of group) pending.reject(typed);
      return;
    }
    // Readers see durable bytes only (invariant 3): sealed segments were synced by `roll`; the
    // active one is synced now in `always` mode, by the next interval sync otherwise.
    for (const [entry, size] of sealed) entry.size = size;
    if (this.options.fsync.mode === 'always') this.table.active.size = this.writtenBytes;
    const bytes = group.reduce((sum, pending) => sum + pending.bytes, 0);
    this.counters.appendedRecords += recordsTotal;
    this.counters.appendedBytes += bytes;
    for (let i = 0; i < group.length; i++) group[i]!.resolve(lsns[i]!);
    this.onAcknowledged();
  }

  private async writeRun(run: Uint8Array[], records: number): Promise<void> {
    if (run.length === 0) return;
    const buffer = Buffer.concat(run);
    // Counted before the write: a partial write must be truncated away too.
    const position = this.writtenBytes;
    this.writtenBytes += buffer.length;
    this.unsynced = { bytes: this.unsynced.bytes + buffer.length, records: this.unsynced.records + records };
    await writeFully(this.file, buffer, position);
  }

  /** Interval mode: makes what was acknowledged durable, then visible to readers. */
  private async syncAndPublish(): Promise<void> {
    const written = this.writtenBytes;
    await this.sync();
    this.table.active.size = written;
    this.onAcknowledged();
  }

  private async sync(): Promise<void> {
    const started = performance.now();
    const { bytes, records } = this.unsynced;
    await this.file.datasync();
    this.unsynced = { bytes: 0, records: 0 };
    const latencyMs = performance.now() - started;
    this.counters.fsyncCount += 1;
    this.counters.lastFsyncLatencyMs = latencyMs;
    this.options.onFsync?.({ latencyMs, bytes, records });
  }

  /** Seals the active segment (fdatasync first: invariant 5) and starts the next one. */
  private async roll(): Promise<void> {
    await this.sync();
    this.handleOpen = false;
    await this.file.close();
    const firstLsn = this.table.active.firstLsn + this.writtenBytes;
    const name = segmentFileName(firstLsn);
    const path = join(this.options.dir, name);
    // Listed before it exists, so a rollback removes it whatever step failed.
    this.table.entries.push({ name, path, firstLsn, size: 0 });
    this.writtenBytes = 0;
    this.file = await this.options.fs.open(path, 'w');
    this.handleOpen = true;
    await this.options.fs.syncDir(this.options.dir);
  }

  /** Undoes a failed group: drops segments it created and truncates back (invariant 4). */
  private async rollback(start: { active: SegmentEntry; writtenBytes: number }): Promise<void> {
    try {
      // By identity: retention may have dropped older segments meanwhile.
      const created = this.table.entries.splice(this.table.entries.indexOf(start.active) + 1);
      if (created.length > 0 || !this.handleOpen) {
        if (this.handleOpen) await this.file.close().catch(() => {});
        this.handleOpen = false;
        for (const entry of created) await this.options.fs.unlink(entry.path).catch(() => {});
        await this.options.fs.syncDir(this.options.dir);
        this.file = await this.options.fs.open(this.table.active.path, 'r+');
        this.handleOpen = true;
      }
      await this.file.truncate(start.writtenBytes);
      await this.file.datasync();
      this.writtenBytes = start.writtenBytes;
      this.unsynced = { bytes: 0, records: 0 };
      // Interval mode: groups acknowledged before the failed one are durable now.
      if (this.table.active.size < start.writtenBytes) {
        this.table.active.size = start.writtenBytes;
        this.onAcknowledged();
      }
    } catch (error) {
      this.failure = new WalError('COLLECTOR_WAL_FAILED', 'The write-ahead log could not undo a failed write and refuses appends until the collector restarts.', { cause: error });
    }
  }
}
