import { RECORD_MAGIC_BYTES } from './record-format.js';
import { SegmentScanner } from './segment-scanner.js';
import { readFully } from './wal-fs.js';
import type { WalFs } from './wal-fs.js';
import type { RecoveryReport } from './wal.js';

export interface TailScan {
  /** Bytes of the segment that hold whole records (or skipped corruption followed by records). */
  readonly goodBytes: number;
  readonly fileBytes: number;
  readonly truncatedRecords: number;
  readonly skippedCorruptRecords: number;
}

/**
 * Scans the newest segment (README "Recovery on open"): the first invalid record that no valid
 * record follows is a torn tail and everything from it on is to be cut; invalid records followed
 * by valid ones are corruption in the middle and are kept for readers to skip.
 */
export async function scanTail(fs: WalFs, path: string, chunkBytes: number, recordBytesMax: number): Promise<TailScan> {
  const file = await fs.open(path, 'r');
  try {
    const fileBytes = (await file.stat()).size;
    const scanner = new SegmentScanner(file, fileBytes, chunkBytes, recordBytesMax);
    let skippedCorruptRecords = 0;
    for await (const item of scanner.scan(0)) {
      if (item.kind === 'record') continue;
      if (item.offset + item.bytes < fileBytes) {
        skippedCorruptRecords += 1;
        continue;
      }
      const cut = await readFully(file, item.offset, item.bytes);
      return { goodBytes: item.offset, fileBytes, truncatedRecords: Math.max(1, countMagic(cut)), skippedCorruptRecords };
    }
    return { goodBytes: fileBytes, fileBytes, truncatedRecords: 0, skippedCorruptRecords };
  } finally {
    await file.close();
  }
}

/** Cuts the torn tail found by `scanTail` and makes the cut durable; returns the report. */
export async function recoverTail(fs: WalFs, path: string, chunkBytes: number, recordBytesMax: number): Promise<{ sizeBytes: number; report: RecoveryReport }> {
  const scan = await scanTail(fs, path, chunkBytes, recordBytesMax);
  const truncatedBytes = scan.fileBytes - scan.goodBytes;
  if (truncatedBytes > 0) {
    const file = await fs.open(path, 'r+');
    try {
      await file.truncate(scan.goodBytes);
      await file.datasync();
    } finally {
      await file.close();
    }
  }
  return {
    sizeBytes: scan.goodBytes,
    report: { truncatedBytes, truncatedRecords: scan.truncatedRecords, skippedCorruptRecords: scan.skippedCorruptRecords },
  };
}

function countMagic(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(RECORD_MAGIC_BYTES); at >= 0; at = bytes.indexOf(RECORD_MAGIC_BYTES, at + 1)) count += 1;
  return count;
}
