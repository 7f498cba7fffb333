/**
 * Disk-backed batch queue for Node: a mini write-ahead log. (Over 300 lines on purpose: the
 * append, ack, compaction and recovery paths share the segment and ack-file invariants below.)
 *
 * Layout in `dir`:
 *   seg-<16-digit seq>.log  data segments, append-only; a new one starts past `segmentBytesMax`
 *   acks.log                ids of batches that left the queue (delivered or dropped)
 *   LOCK                    pid of the owning process (a dead owner's lock is taken over)
 *
 * Entry format (both files): [u32 LE payload length][u32 LE CRC32C of payload][payload].
 * Data payload: msgpack `{ id, bytes, events }`. Ack payload: UTF-8 ids joined by "\n".
 *
 * Invariants:
 *   - A batch is queued iff its entry is in a segment and its id is not in acks.log.
 *   - `append` resolves after the write and, with fsync `always`, after fdatasync: from then on
 *     the batch survives kill -9 and power loss. With `interval` it survives kill -9 at once
 *     (the page cache is the kernel's) and power loss after the next interval.
 *   - Acks are not fsynced: a lost ack only resends a batch, and event ids make that harmless.
 *   - A segment file is deleted only when every batch in it is acked; acks.log is then
 *     compacted (write tmp, fsync, rename) to the ids that still refer to live segments.
 *   - Recovery reads entries until the first that is short or fails its CRC (a torn tail from a
 *     crash mid-write), truncates there, and keeps everything before it.
 *   - Queued bytes stay under `bytesMax`: an append that would pass it drops the oldest batches
 *     first (counted in `droppedEvents()`), so a long collector outage cannot fill the disk.
 */
import { mkdir, open, unlink, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { replaceFileAtomically } from '@shopstream/shared/node';
import { SdkError } from '../errors.js';
import { segmentPath, segmentSeqs, takeLock } from './file-dir.js';
import { ENTRY_HEADER_BYTES, frameEntry, scanEntries } from './file-entry.js';
import type { Storage, StoredBatch } from './storage.js';

export interface FileStorageOptions {
  readonly dir: string;
  /** `always`: fdatasync before append resolves. `interval`: every `fsyncIntervalMs`. Default `always`. */
  readonly fsync?: 'always' | 'interval';
  readonly fsyncIntervalMs?: number;
  /** Cap on queued bytes on disk; past it the oldest batches are dropped and counted. Default 256 MiB. */
  readonly bytesMax?: number;
  /** A segment is closed for appends past this size. Default 8 MiB. */
  readonly segmentBytesMax?: number;
  /** acks.log is compacted when it passes this size. Default 1 MiB. */
  readonly ackLogBytesMax?: number;
  /** Called once per drop-oldest episode (with that first append's dropped events), for logs; `droppedEvents()` has the total. */
  readonly onDrop?: (events: number) => void;
}

export interface FileStorage extends Storage {
  /** Resolves when recovery is done; rejects with SDK_QUEUE_CORRUPT or an fs error. */
  readonly ready: Promise<void>;
  /** Batches recovered from an earlier run and torn entries cut off, for logs and tests. */
  recovery(): { readonly batches: number; readonly tornBytes: number };
  /** fdatasync now (for `interval` mode: `flushToDisk`). */
  sync(): Promise<void>;
  droppedEvents(): number;
  queuedEvents(): number;
  close(): Promise<void>;
}

interface IndexEntry {
  readonly seq: number;
  readonly offset: number;
  readonly length: number;
  readonly events: number;
}

const packr = new Packr({ useRecords: false, moreTypes: false });

export function createFileStorage(options: FileStorageOptions): FileStorage {
  return new FileQueue(options);
}

class FileQueue implements FileStorage {
  readonly ready: Promise<void>;
  private readonly fsyncMode: 'always' | 'interval';
  private readonly bytesMax: number;
  private readonly segmentBytesMax: number;
  private readonly ackLogBytesMax: number;
  private readonly index = new Map<string, IndexEntry>();
  private readonly liveBySegment = new Map<number, number>();
  private readonly acked = new Set<string>();
  private readonly readers = new Map<number, FileHandle>();
  private readonly peeked = new Map<string, StoredBatch>();
  private queuedBytes = 0;
  private dropped = 0;
  private recovered = { batches: 0, tornBytes: 0 };
  private active: { seq: number; handle: FileHandle; size: number } | undefined;
  private ackLog: { handle: FileHandle; size: number } | undefined;
  private tail: Promise<unknown>;
  private syncTimer: ReturnType<typeof setInterval> | undefined;
  private dirty = false;
  private closed = false;
  /** True from the first drop-oldest until an append fits again: `onDrop` fires once per episode. */
  private dropping = false;

  constructor(private readonly options: FileStorageOptions) {
    this.fsyncMode = options.fsync ?? 'always';
    this.bytesMax = options.bytesMax ?? 256 * 1024 * 1024;
    this.segmentBytesMax = options.segmentBytesMax ?? 8 * 1024 * 1024;
    this.ackLogBytesMax = options.ackLogBytesMax ?? 1024 * 1024;
    this.ready = this.recover();
    this.tail = this.ready;
    this.ready.catch(() => undefined); // surfaced through every operation
  }

  recovery(): { batches: number; tornBytes: number } {
    return this.recovered;
  }

  droppedEvents(): number {
    return this.dropped;
  }

  /** Counted from the in-memory index (no disk read): batches stored and not acked. */
  queuedEvents(): number {
    let events = 0;
    for (const entry of this.index.values()) events += entry.events;
    return events;
  }

  append(items: readonly StoredBatch[]): Promise<void> {
    return this.serial(() => this.appendNow(items));
  }

  peek(countMax: number): Promise<StoredBatch[]> {
    return this.serial(() => this.peekNow(countMax));
  }

  ack(ids: readonly string[]): Promise<void> {
    return this.serial(() => this.ackNow(ids));
  }

  sync(): Promise<void> {
    return this.serial(() => this.syncNow());
  }

  close(): Promise<void> {
    return this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      if (this.syncTimer) clearInterval(this.syncTimer);
      await this.syncNow();
      await this.active?.handle.close();
      await this.ackLog?.handle.close();
      for (const handle of this.readers.values()) await handle.close();
      this.readers.clear();
      await unlink(join(this.options.dir, 'LOCK')).catch(() => undefined);
    });
  }

  /** One operation at a time: appends, acks and compaction never interleave on the files. */
  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => {
      if (this.closed) throw new SdkError('SDK_CLOSED', `file queue in ${this.options.dir} is closed`);
      return operation();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async recover(): Promise<void> {
    const dir = this.options.dir;
    await mkdir(dir, { recursive: true });
    await takeLock(dir);
    const ackBytes = await readFile(join(dir, 'acks.log')).catch(() => Buffer.alloc(0));
    const acks = scanEntries(ackBytes);
    for (const payload of acks.payloads) for (const id of payload.toString('utf8').split('\n')) this.acked.add(id);
    if (acks.validBytes < ackBytes.length) await writeFile(join(dir, 'acks.log'), ackBytes.subarray(0, acks.validBytes));
    this.recovered.tornBytes += ackBytes.length - acks.validBytes;
    const ackHandle = await open(join(dir, 'acks.log'), 'a');
    this.ackLog = { handle: ackHandle, size: acks.validBytes };

    const seqs = await segmentSeqs(dir);
    for (const seq of seqs) {
      const bytes = await readFile(segmentPath(dir, seq));
      const scan = scanEntries(bytes);
      let offset = 0;
      let live = 0;
      for (const payload of scan.payloads) {
        const length = ENTRY_HEADER_BYTES + payload.length;
        const batch = packr.unpack(payload) as StoredBatch;
        if (!this.acked.has(batch.id)) {
          this.index.set(batch.id, { seq, offset, length, events: batch.events.length });
          this.queuedBytes += length;
          live++;
        }
        offset += length;
      }
      if (scan.validBytes < bytes.length) {
        // Torn tail from a crash mid-append: cut it so new entries follow the last good one.
        this.recovered.tornBytes += bytes.length - scan.validBytes;
        await writeFile(segmentPath(dir, seq), bytes.subarray(0, scan.validBytes));
      }
      if (live === 0) await unlink(segmentPath(dir, seq));
      else this.liveBySegment.set(seq, live);
    }
    this.recovered.batches = this.index.size;
    const nextSeq = (seqs.at(-1) ?? 0) + 1;
    this.active = { seq: nextSeq, handle: await open(segmentPath(dir, nextSeq), 'a'), size: 0 };
    if (this.fsyncMode === 'interval') {
      this.syncTimer = setInterval(() => void this.sync().catch(() => undefined), this.options.fsyncIntervalMs ?? 1000);
      this.syncTimer.unref();
    }
    await this.compactAcks();
  }

  private async appendNow(group: readonly StoredBatch[]): Promise<void> {
    let items = group;
    let encoded = items.map((item) => frameEntry(packr.pack({ id: item.id, bytes: item.bytes, events: item.events })));
    let incoming = encoded.reduce((n, entry) => n + entry.length, 0);
    // A group larger than the whole queue: its own oldest batches are the oldest, drop them first.
    let skipped = 0;
    while (incoming > this.bytesMax && encoded.length > 1) {
      incoming -= encoded[0]!.length;
      skipped += items[0]!.events.length;
      encoded = encoded.slice(1);
      items = items.slice(1);
    }
    if (incoming > this.bytesMax) throw new SdkError('SDK_QUEUE_FULL', `a ${incoming}-byte batch cannot fit a file queue of bytesMax ${this.bytesMax}`);
    await this.dropOldestFor(incoming, skipped);
    let active = this.active!;
    if (active.size > 0 && active.size + incoming > this.segmentBytesMax) active = await this.rotate();
    await active.handle.write(Buffer.concat(encoded));
    let offset = active.size;
    items.forEach((item, i) => {
      const length = encoded[i]!.length;
      this.index.set(item.id, { seq: active.seq, offset, length, events: item.events.length });
      offset += length;
    });
    active.size = offset;
    this.queuedBytes += incoming;
    this.liveBySegment.set(active.seq, (this.liveBySegment.get(active.seq) ?? 0) + items.length);
    this.dirty = true;
    if (this.fsyncMode === 'always') await this.syncNow();
  }

  private async peekNow(countMax: number): Promise<StoredBatch[]> {
    const out: StoredBatch[] = [];
    for (const [id, entry] of this.index) {
      if (out.length >= countMax) break;
      let batch = this.peeked.get(id);
      if (!batch) {
        batch = await this.readBatch(entry);
        this.peeked.set(id, batch);
      }
      out.push(batch);
    }
    return out;
  }

  private async ackNow(ids: readonly string[]): Promise<void> {
    const gone = ids.filter((id) => this.index.has(id));
    if (gone.length === 0) return;
    const entry = frameEntry(Buffer.from(gone.join('\n'), 'utf8'));
    await this.ackLog!.handle.write(entry);
    this.ackLog!.size += entry.length;
    for (const id of gone) await this.forget(id);
    if (this.ackLog!.size > this.ackLogBytesMax) await this.compactAcks();
  }

  /** Removes a batch from the index; deletes its segment once nothing in it is queued. */
  private async forget(id: string): Promise<void> {
    const entry = this.index.get(id)!;
    this.index.delete(id);
    this.peeked.delete(id);
    this.acked.add(id);
    this.queuedBytes -= entry.length;
    const live = (this.liveBySegment.get(entry.seq) ?? 1) - 1;
    if (live > 0 || entry.seq === this.active!.seq) {
      this.liveBySegment.set(entry.seq, live);
      return;
    }
    this.liveBySegment.delete(entry.seq);
    await this.readers.get(entry.seq)?.close();
    this.readers.delete(entry.seq);
    await unlink(segmentPath(this.options.dir, entry.seq));
  }

  private async dropOldestFor(incoming: number, alreadyDroppedEvents: number): Promise<void> {
    const victims: string[] = [];
    let events = alreadyDroppedEvents;
    let freed = 0;
    for (const [id, entry] of this.index) {
      if (this.queuedBytes - freed + incoming <= this.bytesMax) break;
      if (this.peeked.has(id)) continue; // in flight: its answer decides
      victims.push(id);
      events += entry.events;
      freed += entry.length;
    }
    if (events === 0) {
      this.dropping = false;
      return;
    }
    if (victims.length > 0) await this.ackNow(victims);
    this.dropped += events;
    if (!this.dropping) this.options.onDrop?.(events);
    this.dropping = true;
  }

  private async rotate(): Promise<{ seq: number; handle: FileHandle; size: number }> {
    const previous = this.active!;
    await previous.handle.datasync();
    await previous.handle.close();
    if ((this.liveBySegment.get(previous.seq) ?? 0) === 0) {
      this.liveBySegment.delete(previous.seq);
      await unlink(segmentPath(this.options.dir, previous.seq));
    }
    const seq = previous.seq + 1;
    this.active = { seq, handle: await open(segmentPath(this.options.dir, seq), 'a'), size: 0 };
    return this.active;
  }

  /** Rewrites acks.log with only the ids that still matter: those in segments still on disk. */
  private async compactAcks(): Promise<void> {
    const dir = this.options.dir;
    const liveSegments = new Set(this.liveBySegment.keys());
    liveSegments.add(this.active!.seq);
    const stillNeeded = await this.ackedIdsIn(liveSegments);
    this.acked.clear();
    for (const id of stillNeeded) this.acked.add(id);
    const body = this.acked.size > 0 ? frameEntry(Buffer.from([...this.acked].join('\n'), 'utf8')) : Buffer.alloc(0);
    await this.ackLog?.handle.close();
    await replaceFileAtomically(join(dir, 'acks.log'), body);
    this.ackLog = { handle: await open(join(dir, 'acks.log'), 'a'), size: body.length };
  }

  /** Ids in the given segments that are acked (not in the index). */
  private async ackedIdsIn(segments: ReadonlySet<number>): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const seq of segments) {
      const bytes = await readFile(segmentPath(this.options.dir, seq)).catch(() => Buffer.alloc(0));
      for (const payload of scanEntries(bytes).payloads) {
        const { id } = packr.unpack(payload) as { id: string };
        if (!this.index.has(id)) ids.add(id);
      }
    }
    return ids;
  }

  private async readBatch(entry: IndexEntry): Promise<StoredBatch> {
    let handle = this.readers.get(entry.seq);
    if (!handle) {
      handle = await open(segmentPath(this.options.dir, entry.seq), 'r');
      this.readers.set(entry.seq, handle);
    }
    const buffer = Buffer.alloc(entry.length);
    await handle.read(buffer, 0, entry.length, entry.offset);
    const scan = scanEntries(buffer);
    if (scan.payloads.length !== 1) {
      throw new SdkError('SDK_QUEUE_CORRUPT', `queue entry at ${segmentPath(this.options.dir, entry.seq)}:${entry.offset} fails its CRC32C on read-back`);
    }
    return packr.unpack(scan.payloads[0]!) as StoredBatch;
  }

  private async syncNow(): Promise<void> {
    if (!this.dirty || !this.active) return;
    this.dirty = false;
    await this.active.handle.datasync();
  }
}
