/**
 * The last few chunks readers read, shared by every reader of one log. Delivery loops read
 * `readRecordsMax` records at a time, often far less than a chunk, and several sinks read the
 * same recent bytes: without this each call would read a whole chunk again. Safe because a chunk
 * only ever holds acknowledged bytes, which never change. Bounded by `chunksMax` (LRU).
 */
export class ChunkCache {
  private chunks: Array<{ readonly key: string; readonly start: number; readonly bytes: Buffer }> = [];

  constructor(private readonly chunksMax: number) {}

  /** A view of `[offset, offset + length)` of `key` if one cached chunk holds all of it. */
  get(key: string, offset: number, length: number): { bytes: Buffer; start: number } | undefined {
    for (let i = this.chunks.length - 1; i >= 0; i--) {
      const chunk = this.chunks[i]!;
      if (chunk.key === key && offset >= chunk.start && offset + length <= chunk.start + chunk.bytes.length) {
        if (i !== this.chunks.length - 1) this.chunks.push(...this.chunks.splice(i, 1));
        return chunk;
      }
    }
    return undefined;
  }

  put(key: string, start: number, bytes: Buffer): void {
    if (this.chunksMax <= 0 || bytes.length === 0) return;
    this.chunks.push({ key, start, bytes });
    if (this.chunks.length > this.chunksMax) this.chunks.shift();
  }
}
