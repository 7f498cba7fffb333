/**
 * The WAL's writer: appends queue, are written as one group, fdatasync'ed (up to
 * `syncsInFlightMax` overlapping) and acknowledged strictly in Lsn order; a failed write or
 * sync undoes its group and every later one (README invariants 1, 2, 4, 6, 7).
 *
 * Over 300 lines on purpose: it is one state machine (queue → write → in-flight syncs →
 * ordered acknowledgement → undo) whose invariants 4 and 7 hold only across all of its steps;
 * split into files, each part would have to re-establish what the others assume.
 */
import { InvariantError } from '../invariant.js';
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

/** A group written to the segment whose fdatasync (always mode) may still be in flight. */
interface WrittenGroup {
  readonly group: PendingAppend[];
  readonly lsns: Lsn[][];
  readonly records: number;
  /** Where the group began: what an undo truncates back to. */
  readonly start: { readonly active: SegmentEntry; readonly writtenBytes: number };
  /** Final sizes of segments sealed while writing the group, applied once it is durable. */
  readonly sealed: ReadonlyArray<readonly [SegmentEntry, number]>;
  /** Size of the active segment once the group is durable. */
  readonly endBytes: number;
}

interface SyncInFlight extends WrittenGroup {
  state: 'syncing' | 'synced' | 'failed';
  error?: unknown;
  /** Resolves (never rejects) once the fdatasync ended either way. */
  settled: Promise<void>;
}

/**
 * Appends with group commit (README invariants 1, 2, 4, 5): appends queue while a write/fsync is
 * in flight and the next group takes them all (up to `groupBytesMax`) into one write and one
 * fdatasync. Only this class writes segments, and writes happen in one loop, in Lsn order, so
 * writes, rolls, background syncs and rollbacks never overlap.
 *
 * In `always` mode up to `syncsInFlightMax` fdatasyncs overlap (invariant 7): the next group is
 * written while the previous one's fdatasync runs, instead of waiting out a whole disk flush plus
 * an event-loop turn. Groups are still acknowledged (and shown to readers) strictly in Lsn order,
 * each only after an fdatasync that began after its write ended, each on its own file handle.
 */
export class GroupCommitWriter {
  readonly counters: WriterCounters = { appendedRecords: 0, appendedBytes: 0, fsyncCount: 0, lastFsyncLatencyMs: 0 };
  private queue: PendingAppend[] = [];
  private queuedBytes = 0;
  private running = false;
  /** The last Lsn acknowledged (invariant 7 is asserted against it). */
  private lastAcknowledgedLsn = -1;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};
  /** Bytes written to the active segment, acknowledged or not. */
  private writtenBytes: number;
  /** Written but no fdatasync started for them yet. */
  private unsynced = { bytes: 0, records: 0 };
  /** Always mode: written groups in Lsn order whose fdatasync has not been acknowledged yet. */
  private inFlight: SyncInFlight[] = [];
  /**
   * Extra read handles on the active segment, one per further sync slot, opened lazily. Each
   * in-flight fdatasync runs on its own handle: Linux reports a writeback error once per open
   * file, so two overlapping fdatasyncs on one handle could hand the error for the first
   * group's pages to the second and report success for the first. On separate handles both see it.
   */
  private syncFiles: WalFile[] = [];
  private syncsStarted = 0;
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

  /** Waits for queued appends and their fdatasyncs, syncs what interval mode left unsynced, closes the segment. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.idle;
    while (this.inFlight.length > 0) {
      await this.settleInFlight();
      await this.idle; // a failed sync kicked the loop to undo
    }
    if (this.unsynced.bytes > 0 && !this.failure) await this.syncAndPublish().catch((error: unknown) => this.options.onSyncError?.(error as Error));
    await this.closeSyncFiles();
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
    while (this.queue.length > 0 || this.syncDue || this.failedSync()) {
      // A failed fdatasync is undone (from that group on) before anything else.
      if (this.failedSync()) {
        await this.undoInFlight();
      } else if (this.syncDue) {
        // A due sync goes first: under steady load the queue never empties, and readers see only
        // synced bytes, so a sync waiting for an idle moment would stall delivery and widen the loss window.
        this.syncDue = false;
        // Acknowledged already (interval mode): a failed sync can only be reported and retried.
        await this.syncAndPublish().catch((error: unknown) => this.options.onSyncError?.(walWriteError(error, 'sync the log in the background')));
      } else if (this.inFlight.length >= this.options.syncsInFlightMax) {
        // Meanwhile the queue grows into a bigger group.
        await this.inFlight[0]!.settled;
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

  private async openSyncFiles(): Promise<void> {
    while (this.syncFiles.length < this.options.syncsInFlightMax - 1) this.syncFiles.push(await this.options.fs.open(this.table.active.path, 'r'));
  }

  private async closeSyncFiles(): Promise<void> {
    const files = this.syncFiles;
    this.syncFiles = [];
    await Promise.all(files.map((file) => file.close().catch(() => {})));
  }

  private async commit(group: PendingAppend[]): Promise<void> {
    if (this.failure) {
      for (const pending of group) pending.reject(this.failure);
      return;
    }
    const start = { active: this.table.active, writtenBytes: this.writtenBytes };
    const lsns: Lsn[][] = group.map(() => []);
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
            // The old file's fdatasyncs end (and their groups are acknowledged) before it closes.
            await this.settleInFlight();
            const failed = this.failedSync();
            if (failed) return await this.undo({ group, start }, failed.error, 'sync a batch');
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
    } catch (error) {
      await this.undo({ group, start }, error, 'write a batch');
      return;
    }
    const written: WrittenGroup = { group, lsns, records: recordsTotal, start, sealed, endBytes: this.writtenBytes };
    if (this.options.fsync.mode === 'interval') return this.acknowledge(written);
    if (this.syncFiles.length < this.options.syncsInFlightMax - 1) {
      try {
        await this.openSyncFiles();
      } catch (error) {
        return this.undo({ group, start }, error, 'open the log for syncing');
      }
    }
    this.startSync(written);
  }

  /** Starts the group's fdatasync without waiting for it; its end acknowledges in Lsn order. */
  private startSync(written: WrittenGroup): void {
    const entry: SyncInFlight = { ...written, state: 'syncing', settled: Promise.resolve() };
    // Consecutive groups take consecutive slots, so the (at most syncsInFlightMax) in flight never share a handle.
    const slot = this.syncsStarted++ % this.options.syncsInFlightMax;
    entry.settled = this.sync(slot === 0 ? this.file : this.syncFiles[slot - 1]!).then(
      () => {
        entry.state = 'synced';
        this.acknowledgeSyncedPrefix();
      },
      (error: unknown) => {
        entry.state = 'failed';
        entry.error = error;
        this.kick();
      },
    );
    this.inFlight.push(entry);
  }

  private failedSync(): SyncInFlight | undefined {
    return this.inFlight.find((entry) => entry.state === 'failed');
  }

  private acknowledgeSyncedPrefix(): void {
    while (this.inFlight[0]?.state === 'synced') this.acknowledge(this.inFlight.shift()!);
  }

  /** The group is durable: readers may see it (invariant 3) and its appends resolve. */
  private acknowledge(written: WrittenGroup): void {
    // Invariant 7: acknowledgements go out strictly in Lsn order, whatever order fdatasyncs end
    // in. Checked before anything is changed: a violation is a bug, so the group is refused and
    // the process stops (fail-stop: a restart recovers the log from disk), instead of readers
    // seeing bytes no client was answered for.
    const first = written.lsns[0]?.[0];
    if (first !== undefined && first <= this.lastAcknowledgedLsn) {
      const error = new InvariantError(`invariant broken: WAL acknowledging Lsn ${first} after Lsn ${this.lastAcknowledgedLsn} was acknowledged`);
      for (const pending of written.group) pending.reject(error);
      process.nextTick(() => {
        throw error;
      });
      return;
    }
    for (const [entry, size] of written.sealed) entry.size = size;
    // Sealed segments were synced by `roll`; the active one is synced now in `always` mode, by the next interval sync otherwise.
    if (this.options.fsync.mode === 'always') this.table.active.size = written.endBytes;
    let bytes = 0;
    for (const pending of written.group) bytes += pending.bytes;
    this.counters.appendedRecords += written.records;
    this.counters.appendedBytes += bytes;
    for (let i = 0; i < written.group.length; i++) written.group[i]!.resolve(written.lsns[i]!);
    this.lastAcknowledgedLsn = written.lsns.at(-1)?.at(-1) ?? this.lastAcknowledgedLsn;
    this.onAcknowledged();
  }

  private async settleInFlight(): Promise<void> {
    await Promise.all(this.inFlight.map((entry) => entry.settled));
  }

  /** An in-flight fdatasync failed: the groups before it are acknowledged, it and every later one undone. */
  private async undoInFlight(): Promise<void> {
    await this.settleInFlight();
    this.acknowledgeSyncedPrefix();
    const failed = this.inFlight[0];
    if (failed) await this.undo(failed, failed.error, 'sync a batch');
  }

  /**
   * Undoes `from` and every group written after it (invariant 4), after letting earlier
   * fdatasyncs end: all of them are rejected with one typed error, the log truncated back.
   */
  private async undo(from: Pick<WrittenGroup, 'group' | 'start'>, error: unknown, doing: string): Promise<void> {
    const typed = walWriteError(error, doing);
    await this.settleInFlight();
    this.acknowledgeSyncedPrefix();
    // What is still in flight now starts with a failed fdatasync: it and every later group go,
    // even those whose own fdatasync succeeded (after a failed one, a success proves nothing).
    const undone = this.inFlight;
    this.inFlight = [];
    const rejected = undone.flatMap((entry) => entry.group);
    if (!undone.some((entry) => entry.group === from.group)) rejected.push(...from.group);
    await this.rollback(undone[0]?.start ?? from.start);
    for (const pending of rejected) pending.reject(typed);
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

  /** Syncs everything written so far; the next write starts a new unsynced count at once. */
  private async sync(file: WalFile = this.file): Promise<void> {
    const started = performance.now();
    const { bytes, records } = this.unsynced;
    this.unsynced = { bytes: 0, records: 0 };
    try {
      await file.datasync();
    } catch (error) {
      // Still not known to be durable: an interval retry or the undo counts them again.
      this.unsynced = { bytes: this.unsynced.bytes + bytes, records: this.unsynced.records + records };
      throw error;
    }
    const latencyMs = performance.now() - started;
    this.counters.fsyncCount += 1;
    this.counters.lastFsyncLatencyMs = latencyMs;
    this.options.onFsync?.({ latencyMs, bytes, records });
  }

  /** Seals the active segment (fdatasync first: invariant 5) and starts the next one. */
  private async roll(): Promise<void> {
    await this.sync();
    await this.closeSyncFiles();
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
      // Reopened on the next group: the segment they name may be removed just below.
      await this.closeSyncFiles();
      // By identity: retention may have dropped older segments meanwhile.
      const created = this.table.entries.splice(this.table.entries.indexOf(start.active) + 1);
      // Reopened even when the segment stays: after a failed fdatasync on another handle, this
      // one would report the same writeback error once more and fail the undo's own fdatasync
      // (Linux reports an error once per open file). A fresh handle reports only errors nobody saw.
      if (created.length > 0 || !this.handleOpen || this.options.syncsInFlightMax > 1) {
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
