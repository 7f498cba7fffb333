import type { ChunkCache } from './chunk-cache.js';
import { checkHeader, crcMatches, RECORD_HEADER_BYTES, RECORD_MAGIC_BYTES, type RecordCheck } from './record-format.js';
import { readFully, type WalFile } from './wal-fs.js';
import type { CorruptRange } from './wal.js';

export type ScanItem =
  | { readonly kind: 'record'; readonly offset: number; readonly data: Uint8Array }
  | { readonly kind: 'corrupt'; readonly offset: number; readonly bytes: number; readonly reason: CorruptRange['reason'] };

const EMPTY = Buffer.alloc(0);

/**
 * Walks the records of one segment up to `endBytes`, reading `chunkBytes` at a time (README
 * "Reading and corruption"). A record that is not valid becomes one `corrupt` item covering the
 * bytes up to the next valid record (found by searching for the magic), so callers never loop
 * or throw on damage. Record data are views into the chunk: no copy per record.
 */
export class SegmentScanner {
  private window: Buffer = EMPTY;
  private windowStart = 0;

  constructor(
    private readonly file: WalFile,
    private readonly endBytes: number,
    private readonly chunkBytes: number,
    private readonly recordBytesMax: number,
    /** Readers share chunks through this; scans that may see unacknowledged bytes pass none. */
    private readonly cache?: { readonly cache: ChunkCache; readonly key: string },
  ) {}

  async *scan(startOffset: number): AsyncGenerator<ScanItem> {
    let offset = startOffset;
    while (offset < this.endBytes) {
      const check = await this.checkAt(offset);
      if (check.ok) {
        const record = await this.view(offset, RECORD_HEADER_BYTES + check.payloadBytes);
        yield { kind: 'record', offset, data: record.subarray(RECORD_HEADER_BYTES) };
        offset += RECORD_HEADER_BYTES + check.payloadBytes;
      } else {
        const next = await this.resync(offset + 1);
        // "Runs past the end" with a valid record after it means the length field lied.
        const reason = check.reason === 'truncated' && next < this.endBytes ? 'bad-length' : check.reason;
        yield { kind: 'corrupt', offset, bytes: next - offset, reason };
        offset = next;
      }
    }
  }

  /** Offset of the first valid record at or after `from`, or `endBytes` when there is none. */
  async resync(from: number): Promise<number> {
    let offset = from;
    while (offset + RECORD_HEADER_BYTES <= this.endBytes) {
      const window = await this.view(offset, Math.min(this.chunkBytes, this.endBytes - offset));
      const found = window.indexOf(RECORD_MAGIC_BYTES);
      if (found < 0) {
        // The magic may straddle the window's end: step back 3 bytes.
        offset += Math.max(1, window.length - (RECORD_MAGIC_BYTES.length - 1));
        continue;
      }
      const candidate = offset + found;
      if ((await this.checkAt(candidate)).ok) return candidate;
      offset = candidate + 1;
    }
    return this.endBytes;
  }

  /** Full check of the record at `offset`, CRC included. */
  async checkAt(offset: number): Promise<RecordCheck> {
    const header = await this.view(offset, RECORD_HEADER_BYTES);
    const check = checkHeader(header, this.endBytes - offset, this.recordBytesMax);
    if (!check.ok) return check;
    const record = await this.view(offset, RECORD_HEADER_BYTES + check.payloadBytes);
    if (record.length < RECORD_HEADER_BYTES + check.payloadBytes) return { ok: false, reason: 'truncated' };
    return crcMatches(record, check.payloadBytes) ? check : { ok: false, reason: 'bad-crc' };
  }

  /** Bytes `[offset, offset + length)`, shorter if the file ends first; reads a new chunk when needed. */
  private async view(offset: number, length: number): Promise<Buffer> {
    const start = offset - this.windowStart;
    if (start >= 0 && start + length <= this.window.length) return this.window.subarray(start, start + length);
    const wanted = Math.max(0, Math.min(length, this.endBytes - offset));
    const cached = this.cache?.cache.get(this.cache.key, offset, wanted);
    if (cached) {
      this.window = cached.bytes;
      this.windowStart = cached.start;
      return this.window.subarray(offset - cached.start, offset - cached.start + wanted);
    }
    const size = Math.max(0, Math.min(Math.max(length, this.chunkBytes), this.endBytes - offset));
    // A new buffer every time: records already handed out keep viewing the old one.
    this.window = await readFully(this.file, offset, size);
    this.windowStart = offset;
    this.cache?.cache.put(this.cache.key, offset, this.window);
    return this.window.subarray(0, Math.min(length, this.window.length));
  }
}
