/**
 * Rebuilds an in-memory dedupe window after a restart: every WAL record still on disk is run
 * through the claiming part of the chain (decode → stamp → event-bytes → validate → dedupe), in
 * WAL order, before the sink loops process anything. Because decisions are a pure function of
 * the WAL order, the window ends up as it was before the restart for every record on disk;
 * records released by WAL retention (`wal.retainMs`) are forgotten, which bounds what a restart
 * remembers (the Redis store has no such bound).
 */
import type { Processor } from '../processor.js';
import type { Lsn, Wal } from '../../wal/wal.js';

const READ_RECORDS_MAX = 256;

export async function warmFromWal(wal: Pick<Wal, 'read'>, fromLsn: Lsn, toLsn: Lsn, claimer: Processor): Promise<number> {
  let next = fromLsn;
  let records = 0;
  while (next < toLsn) {
    let advanced = false;
    for await (const record of wal.read(next, READ_RECORDS_MAX)) {
      if (record.lsn >= toLsn) return records;
      await claimer.process(record);
      records += 1;
      next = record.nextLsn;
      advanced = true;
    }
    if (!advanced) break;
  }
  return records;
}
