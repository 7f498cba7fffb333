import type { Lsn } from '../wal/wal.js';

/**
 * A sink's position in the WAL, saved atomically (the WAL's cursor files). `committed`: the Lsn
 * to resume from, everything below is delivered. `inflight`: the WAL range `[from, to)` being
 * written now, saved before the write so a crash replays exactly that range.
 */
export interface SinkCursor {
  readonly committed: Lsn;
  readonly inflight?: { readonly from: Lsn; readonly to: Lsn };
}

export interface CursorStore {
  load(name: string): Promise<SinkCursor>;
  save(name: string, cursor: SinkCursor): Promise<void>;
}
