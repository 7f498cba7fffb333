/**
 * The write-ahead log seam. See ./README.md for the byte format and invariants.
 * A log sequence number (`Lsn`) is the byte offset of a record in the logical log (segments are
 * named by their first Lsn), so it orders records, names lake files and fits a JS number (2^53 B).
 */
export type Lsn = number;

export interface WalRecord {
  readonly lsn: Lsn;
  /** Lsn of the record after this one: where a reader resumes. */
  readonly nextLsn: Lsn;
  readonly data: Uint8Array;
}

export interface Wal {
  /** Appends and resolves once the records are durable (per fsync policy); returns each record's Lsn. */
  append(records: readonly Uint8Array[]): Promise<Lsn[]>;
  /** Records from `from` (inclusive) up to the durable end, at most `countMax`. */
  read(from: Lsn, countMax: number): AsyncIterable<WalRecord>;
  close(): Promise<void>;
}
