/**
 * (Over 300 lines on purpose: the shipping state machine, two PUTs in flight confirmed in Lsn order,
 * the cursor waits and the failure path, whose ordering holds only across all of it.)
 *
 * Ships the log's durable bytes to the archive (../README.md "Archive: Shipping"). Runs on the
 * writer's thread: it reads the segment table's durable sizes (`snapshot()`), never past them,
 * so no byte a crash could take back is ever archived. Progress is the `_archive` cursor, which
 * retention waits for like a sink's, so a segment is never deleted before it is archived.
 */
import { join } from 'node:path';
import type { CursorStore } from '../cursor-store.js';
import { WalError } from '../errors.js';
import { nodeWalFs, readFully, type WalFs } from '../wal-fs.js';
import type { Lsn, WalSnapshot, WriteAheadLog } from '../wal.js';
import { ARCHIVE_CURSOR_NAME, nodeIdKey, parsePartKey, partKey, walPrefix } from './archive-layout.js';
import type { ArchiveStore } from './archive-store.js';
import { RecoveryPointMeter } from './recovery-point-meter.js';

/** A part on its way to the archive; parts are confirmed (and `archivedLsn` moves) strictly in Lsn order. */
interface PartInFlight {
  readonly segment: string;
  readonly firstLsn: Lsn;
  readonly key: string;
  readonly bytes: number;
  /** Lsn after the part. */
  readonly toLsn: Lsn;
  /** The part ends at its segment's durable end, a record boundary `_archive` may be saved at. */
  readonly atBoundary: boolean;
  state: 'pending' | 'done' | 'failed';
  error?: unknown;
  /** Resolves (never rejects) when the PUT ended either way. */
  settled: Promise<void>;
}

const MIB = 1024 * 1024;
/** Retry backoff after a failed round: 100 ms doubling, at most 5 s. */
const BACKOFF_BASE_MS = 100;
const BACKOFF_MAX_MS = 5_000;
/** Pause of a replicated round that found the log's end ahead of its readable bytes (a roll being synced). */
const ROLL_WAIT_MS = 2;
/** The last round of a graceful stop gives up after this long (what is left ships on the next start). */
const FLUSH_TIMEOUT_MS = 10_000;

export type ArchiveAck = 'local' | 'replicated';

export interface WalShipperOptions {
  readonly wal: Pick<WriteAheadLog, 'waitForAppend' | 'stats'> & { snapshot(): WalSnapshot; readonly cursors: CursorStore };
  /** The log's directory (segments are read from here). */
  readonly dir: string;
  readonly fs?: WalFs;
  readonly store: ArchiveStore;
  /** `<prefix>/<nodeId>` (./archive-layout.ts). */
  readonly base: string;
  readonly nodeId: string;
  /** `local`: a round every `intervalMs`. `replicated`: a round as soon as bytes are durable. */
  readonly ack: ArchiveAck;
  /** Default 1000 ms (`local` only). */
  readonly intervalMs?: number;
  /** Largest part. Default 8 MiB. */
  readonly partBytesMax?: number;
  /**
   * PUTs in flight at once. Default 2: a new round starts while the previous PUT is on its way,
   * so an append waits for about one PUT after its fdatasync instead of up to two.
   */
  readonly putsInFlightMax?: number;
  /** `_archive` is saved at most this often while shipping goes on (always when idle). Default 200 ms. */
  readonly cursorSaveIntervalMs?: number;
  readonly nowMs?: () => number;
  /** A round failed (it is retried with backoff); `failures` counts consecutive ones. */
  readonly onError?: (error: Error, failures: number) => void;
}

/** Figures for `/v1/status` and the bench. */
export interface ArchiveStatus {
  readonly ack: ArchiveAck;
  /** Every byte below is in the archive. */
  readonly archivedLsn: Lsn;
  /** Durable bytes not archived yet. */
  readonly lagBytes: number;
  readonly partsShipped: number;
  readonly bytesShipped: number;
  /** Consecutive failed rounds (0 when the last one worked). */
  readonly failures: number;
  readonly lastError?: string;
  /** Longest an acknowledged byte was only on the local disk, in the last round / since start. */
  readonly recoveryPointMs: number;
  readonly recoveryPointMsMax: number;
  /** Set when shipping stopped for good (the archive holds a log this directory lacks). */
  readonly halted?: string;
}

export class WalShipper {
  private readonly fs: WalFs;
  private readonly intervalMs: number;
  private readonly partBytesMax: number;
  private readonly putsInFlightMax: number;
  private readonly cursorSaveIntervalMs: number;
  private readonly nowMs: () => number;
  private readonly stopController = new AbortController();
  private archivedLsn = 0;
  /** End of the bytes handed to PUTs (confirmed or not): where the next part starts. */
  private sentLsn = 0;
  private inFlight: PartInFlight[] = [];
  /** Whether the last round sent any bytes. */
  private sentLastRound = true;
  /** `archivedLsn` at the end of a segment's durable bytes: a record boundary, what `_archive` saves. */
  private boundaryLsn = 0;
  private savedLsn = -1;
  private lastSaveMs = 0;
  /** Archived segments and their part keys, so parts of segments retention deleted can go too. */
  private readonly archived = new Map<string, { firstLsn: Lsn; keys: Set<string> }>();
  private initialised = false;
  private waiters: { lsn: Lsn; resolve: () => void; reject: (error: Error) => void }[] = [];
  private readonly recoveryPoint: RecoveryPointMeter;
  private counters = { partsShipped: 0, bytesShipped: 0, failures: 0 };
  private lastError: string | undefined;
  private halted: string | undefined;
  private running: Promise<unknown> = Promise.resolve();
  /** Ends S3 calls: the loop's stop, or the final flush's own deadline. */
  private ioSignal: AbortSignal = this.stopController.signal;

  constructor(private readonly options: WalShipperOptions) {
    this.fs = options.fs ?? nodeWalFs;
    this.intervalMs = options.intervalMs ?? 1_000;
    this.partBytesMax = options.partBytesMax ?? 8 * MIB;
    this.putsInFlightMax = options.putsInFlightMax ?? 2;
    this.cursorSaveIntervalMs = options.cursorSaveIntervalMs ?? 200;
    this.nowMs = options.nowMs ?? Date.now;
    this.recoveryPoint = new RecoveryPointMeter(this.nowMs);
  }

  /** Resumes from the saved `_archive` cursor; shipping (and the archive's first listing) runs in the background. */
  async start(): Promise<void> {
    const saved = await this.options.wal.cursors.load(ARCHIVE_CURSOR_NAME);
    this.archivedLsn = this.sentLsn = this.boundaryLsn = this.savedLsn = Math.min(saved.committed, this.options.wal.stats().endLsn);
    this.running = Promise.all([this.shipLoop(), this.watchAcknowledged()]);
  }

  /**
   * Resolves once the archive holds every byte below `lsn` (`ack: replicated` waits here before
   * answering). Rejects `COLLECTOR_WAL_ARCHIVE_BEHIND` (503) after `timeoutMs`: the sender retries
   * instead of hanging, and the bytes, already in the local log, still ship and deliver (the
   * retried copy is dropped by the deduper).
   */
  waitArchived(lsn: Lsn, timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.archivedLsn >= lsn) return Promise.resolve();
    if (this.stopController.signal.aborted) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      const waiter = { lsn, resolve: () => (clearTimeout(timer), resolve()), reject: (error: Error) => (clearTimeout(timer), reject(error)) };
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            this.waiters = this.waiters.filter((other) => other !== waiter);
            reject(new WalError('COLLECTOR_WAL_ARCHIVE_BEHIND', `The WAL archive did not hold this batch within ${timeoutMs} ms (${this.lastError ?? 'S3 is slow'}); it is stored locally and not acknowledged: retry.`));
          }, timeoutMs)
        : undefined;
      this.waiters.push(waiter);
    });
  }

  status(): ArchiveStatus {
    return {
      ack: this.options.ack,
      archivedLsn: this.archivedLsn,
      lagBytes: Math.max(0, this.options.wal.stats().endLsn - this.archivedLsn),
      ...this.counters,
      recoveryPointMs: this.recoveryPoint.lastMs,
      recoveryPointMsMax: this.recoveryPoint.maxMs,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      ...(this.halted === undefined ? {} : { halted: this.halted }),
    };
  }

  /**
   * Stops shipping. `flush`: one last round first (a graceful stop after the log is quiet), its
   * failure only reported. Appends still waiting for the archive fail with `COLLECTOR_WAL_CLOSED`.
   */
  async stop(options: { flush?: boolean } = {}): Promise<void> {
    if (this.stopController.signal.aborted) return;
    this.stopController.abort();
    await this.running;
    if (options.flush && this.initialised && !this.halted) {
      this.ioSignal = AbortSignal.timeout(FLUSH_TIMEOUT_MS);
      await this.round().catch((error: unknown) => this.options.onError?.(error as Error, this.counters.failures + 1));
    }
    await this.saveCursor(true).catch(() => undefined);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(closedError());
  }

  private async shipLoop(): Promise<void> {
    const signal = this.stopController.signal;
    while (!signal.aborted && !this.halted) {
      try {
        if (this.counters.failures === 0 && this.initialised) await this.nextRoundDue(signal);
        if (signal.aborted) break;
        await this.round();
        this.counters.failures = 0;
      } catch (error) {
        await this.abandonInFlight();
        if (signal.aborted) break;
        this.counters.failures += 1;
        this.lastError = (error as Error).message;
        this.options.onError?.(error as Error, this.counters.failures);
        await sleep(Math.min(BACKOFF_BASE_MS * 2 ** (this.counters.failures - 1), BACKOFF_MAX_MS), signal);
      }
    }
    await this.abandonInFlight();
  }

  /** `local`: the interval. `replicated`: new durable bytes, or a PUT ending (which frees a slot or confirms). */
  private async nextRoundDue(signal: AbortSignal): Promise<void> {
    if (this.options.ack === 'local') return sleep(this.intervalMs, signal);
    const oldest = this.inFlight[0]?.settled;
    if (this.inFlight.length >= this.putsInFlightMax) return oldest;
    // While a group that rolled segments waits for its fdatasync, the log's end already counts the
    // new segment but the sealed one's bytes are not readable yet: `waitForAppend` answers at once
    // and a round finds nothing. Waiting a macrotask turn here keeps that from becoming a loop of
    // microtasks that would starve the very fdatasync completion it waits for.
    if (!this.sentLastRound && this.options.wal.stats().endLsn > this.sentLsn) await sleep(ROLL_WAIT_MS, signal);
    await Promise.race([this.options.wal.waitForAppend(this.sentLsn, signal), ...(oldest ? [oldest] : [])]);
  }

  /**
   * One round: durable bytes not sent yet go up (at most `putsInFlightMax` PUTs at once), what
   * the archive confirmed moves `archivedLsn`, parts of deleted segments go, `_archive` is saved.
   * `local` rounds (and the final flush) wait for their PUTs; `replicated` ones let them run.
   */
  private async round(): Promise<void> {
    if (!this.initialised) await this.initialise();
    if (this.halted) return;
    this.confirm();
    const snapshot = this.options.wal.snapshot();
    const sentBefore = this.sentLsn;
    for (const segment of snapshot.segments) {
      if (segment.firstLsn + segment.size <= this.sentLsn) continue;
      // A segment starting past `sentLsn` follows a jump in Lsns (README "Lsns are never reused").
      let from = Math.max(0, this.sentLsn - segment.firstLsn);
      while (from < segment.size) {
        while (this.inFlight.length >= this.putsInFlightMax) {
          await this.inFlight[0]!.settled;
          this.confirm();
        }
        const to = Math.min(segment.size, from + this.partBytesMax);
        this.send(segment.name, segment.firstLsn, from, to, await this.readRange(segment.name, from, to - from), to === segment.size);
        from = to;
      }
    }
    this.sentLastRound = this.sentLsn > sentBefore;
    if (this.options.ack === 'local' || this.stopController.signal.aborted) {
      await Promise.all(this.inFlight.map((part) => part.settled));
      this.confirm();
    }
    const oldest = snapshot.segments[0]?.firstLsn ?? 0;
    await this.deleteReleased(oldest);
    await this.saveCursor(this.archivedLsn >= this.options.wal.stats().endLsn);
  }

  private send(segment: string, firstLsn: Lsn, from: number, to: number, bytes: Buffer, atBoundary: boolean): void {
    const key = partKey(this.options.base, segment, from, to);
    const part: PartInFlight = { segment, firstLsn, key, bytes: bytes.length, toLsn: firstLsn + to, atBoundary, state: 'pending', settled: Promise.resolve() };
    part.settled = this.options.store.put(key, bytes, this.ioSignal).then(
      () => void (part.state = 'done'),
      (error: unknown) => {
        part.state = 'failed';
        part.error = error;
      },
    );
    this.inFlight.push(part);
    this.sentLsn = part.toLsn;
  }

  /** Confirms the done prefix of the parts in flight, in Lsn order; a failed part at its head throws. */
  private confirm(): void {
    while (this.inFlight[0]?.state === 'done') {
      const part = this.inFlight.shift()!;
      this.rememberPart(part.segment, part.firstLsn, part.key);
      this.counters.partsShipped += 1;
      this.counters.bytesShipped += part.bytes;
      if (part.atBoundary) this.boundaryLsn = part.toLsn;
      this.advance(part.toLsn);
    }
    if (this.inFlight[0]?.state === 'failed') throw this.inFlight[0].error;
  }

  /**
   * After a failure (or on stop): waits out the PUTs still running, keeps what the archive
   * confirmed in order, remembers any later part that landed (so its object is deleted with its
   * segment), and sends again from the first byte not confirmed.
   */
  private async abandonInFlight(): Promise<void> {
    await Promise.all(this.inFlight.map((part) => part.settled));
    try {
      this.confirm();
    } catch {
      // reported by the round that met it
    }
    for (const part of this.inFlight) if (part.state === 'done') this.rememberPart(part.segment, part.firstLsn, part.key);
    this.inFlight = [];
    this.sentLsn = this.archivedLsn;
  }

  /**
   * First round: learns what the archive holds, refuses to overwrite a log this directory does
   * not have, and records the node id the Lsns belong to.
   */
  private async initialise(): Promise<void> {
    const { store, base } = this.options;
    let archiveEnd = 0;
    for (const key of await store.list(walPrefix(base), this.ioSignal)) {
      const part = parsePartKey(base, key);
      if (!part) continue;
      this.rememberPart(part.segment, part.firstLsn, key);
      archiveEnd = Math.max(archiveEnd, part.firstLsn + part.toOffset);
    }
    const localEnd = this.options.wal.stats().endLsn;
    if (archiveEnd > localEnd) {
      // Shipping would overwrite the parts of the archived log with other bytes at the same Lsns.
      this.halted = `the archive at ${base} holds the log up to Lsn ${archiveEnd}, past this directory's end ${localEnd}: restore it (shopstream-collector wal restore) or archive under another prefix or node id`;
      this.lastError = this.halted;
      this.options.onError?.(new WalError('COLLECTOR_WAL_CONFIG_INVALID', this.halted), 1);
      return;
    }
    await store.put(nodeIdKey(base), Buffer.from(`${this.options.nodeId}\n`), this.ioSignal);
    this.initialised = true;
  }

  private rememberPart(segment: string, firstLsn: Lsn, key: string): void {
    const entry = this.archived.get(segment);
    if (entry) entry.keys.add(key); // a part re-sent after a failure has the same key
    else this.archived.set(segment, { firstLsn, keys: new Set([key]) });
  }

  /** Segments below the oldest one on disk were delivered and released: their parts go too. */
  private async deleteReleased(oldestLocalLsn: Lsn): Promise<void> {
    const gone = [...this.archived].filter(([, entry]) => entry.firstLsn < oldestLocalLsn);
    if (gone.length === 0) return;
    await this.options.store.delete(gone.flatMap(([, entry]) => [...entry.keys]), this.ioSignal);
    for (const [segment] of gone) this.archived.delete(segment);
  }

  private async readRange(segment: string, position: number, length: number): Promise<Buffer> {
    const file = await this.fs.open(join(this.options.dir, segment), 'r');
    try {
      const bytes = await readFully(file, position, length);
      if (bytes.length !== length) throw new WalError('COLLECTOR_WAL_CORRUPT', `Segment ${segment} is shorter than its durable size (${position + bytes.length} < ${position + length} bytes).`);
      return bytes;
    } finally {
      await file.close();
    }
  }

  private advance(lsn: Lsn): void {
    this.archivedLsn = lsn;
    this.recoveryPoint.archived(lsn);
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const waiter of this.waiters) (waiter.lsn <= lsn ? waiter.resolve() : still.push(waiter));
    this.waiters = still;
  }

  private async saveCursor(idle: boolean): Promise<void> {
    const now = this.nowMs();
    if (this.boundaryLsn === this.savedLsn || (!idle && now - this.lastSaveMs < this.cursorSaveIntervalMs)) return;
    const lsn = this.boundaryLsn;
    await this.options.wal.cursors.save(ARCHIVE_CURSOR_NAME, { committed: lsn });
    this.savedLsn = lsn;
    this.lastSaveMs = now;
  }

  /** Notes when each durable end appeared, so `advance` can say how long acknowledged bytes waited. */
  private async watchAcknowledged(): Promise<void> {
    const signal = this.stopController.signal;
    let seen = this.options.wal.stats().endLsn;
    while (!signal.aborted && (await this.options.wal.waitForAppend(seen, signal))) {
      seen = this.options.wal.stats().endLsn;
      this.recoveryPoint.acknowledged(seen);
    }
  }
}

function closedError(): WalError {
  return new WalError('COLLECTOR_WAL_CLOSED', 'The write-ahead log archive stopped before it held this batch (the collector is shutting down); retry.');
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
