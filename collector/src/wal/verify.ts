import { join } from 'node:path';
import { parseCursorState, type CursorState } from './cursor-store.js';
import { WalError } from './errors.js';
import { recoverTail } from './recovery.js';
import { CURSOR_DIR_NAME, listSegmentFiles } from './segment-files.js';
import { SegmentScanner } from './segment-scanner.js';
import { isMissing, nodeWalFs, type WalFs } from './wal-fs.js';
import type { CorruptRange, Lsn, RecoveryReport } from './wal.js';

export interface VerifyOptions {
  readonly fs?: WalFs;
  /** Must be at least the `recordBytesMax` the log was written with. Default 16 MiB. */
  readonly recordBytesMax?: number;
  readonly readChunkBytes?: number;
}

export interface SegmentReport {
  readonly name: string;
  readonly firstLsn: Lsn;
  readonly bytes: number;
  readonly records: number;
  /** Ranges readers skip (not counting the torn tail of the newest segment). */
  readonly corrupt: readonly CorruptRange[];
}

/** What `verifyWal` found; `ok` when nothing is corrupt, torn, missing or unreadable. */
export interface VerifyReport {
  readonly dir: string;
  readonly ok: boolean;
  readonly segments: readonly SegmentReport[];
  /** Bytes at the end of the newest segment that open (or `repairWal`) would cut. */
  readonly tornTail?: { readonly segment: string; readonly lsn: Lsn; readonly bytes: number };
  /** Where a segment does not start at the end of the one before it (a segment went missing). */
  readonly gaps: readonly { readonly after: string; readonly expectedLsn: Lsn; readonly foundLsn: Lsn }[];
  readonly cursors: readonly { readonly name: string; readonly state?: CursorState; readonly error?: string }[];
  /** Files that are neither segments nor cursors (leftover `.tmp` cursor files among them). */
  readonly strays: readonly string[];
}

const DEFAULT_RECORD_BYTES_MAX = 16 * 1024 * 1024;
const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

/** Reads the whole log in `dir` and reports its state; changes nothing (README "Offline tools"). */
export async function verifyWal(dir: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const fs = options.fs ?? nodeWalFs;
  const recordBytesMax = options.recordBytesMax ?? DEFAULT_RECORD_BYTES_MAX;
  const { segments: files, strays } = await listExisting(fs, dir);
  const segments: SegmentReport[] = [];
  const gaps: { after: string; expectedLsn: Lsn; foundLsn: Lsn }[] = [];
  let tornTail: VerifyReport['tornTail'];
  for (const [index, segment] of files.entries()) {
    const previous = segments[index - 1];
    if (previous && previous.firstLsn + previous.bytes !== segment.firstLsn) {
      gaps.push({ after: previous.name, expectedLsn: previous.firstLsn + previous.bytes, foundLsn: segment.firstLsn });
    }
    const file = await fs.open(segment.path, 'r');
    try {
      const bytes = (await file.stat()).size;
      const scanner = new SegmentScanner(file, bytes, options.readChunkBytes ?? DEFAULT_CHUNK_BYTES, recordBytesMax);
      let records = 0;
      const corrupt: CorruptRange[] = [];
      for await (const item of scanner.scan(0)) {
        if (item.kind === 'record') records += 1;
        else corrupt.push({ segment: segment.name, lsn: segment.firstLsn + item.offset, bytes: item.bytes, reason: item.reason });
      }
      const last = corrupt[corrupt.length - 1];
      if (index === files.length - 1 && last && last.lsn + last.bytes === segment.firstLsn + bytes) {
        corrupt.pop();
        tornTail = { segment: segment.name, lsn: last.lsn, bytes: last.bytes };
      }
      segments.push({ name: segment.name, firstLsn: segment.firstLsn, bytes, records, corrupt });
    } finally {
      await file.close();
    }
  }
  const { cursors, cursorStrays } = await readCursors(fs, dir);
  const allStrays = [...strays, ...cursorStrays.map((name) => `${CURSOR_DIR_NAME}/${name}`)];
  const ok = !tornTail && gaps.length === 0 && segments.every((s) => s.corrupt.length === 0) && cursors.every((c) => !c.error);
  return { dir, ok, segments, ...(tornTail ? { tornTail } : {}), gaps, cursors, strays: allStrays };
}

/** Cuts the torn tail of the newest segment exactly as open does; other damage is left to readers. */
export async function repairWal(dir: string, options: VerifyOptions = {}): Promise<RecoveryReport & { readonly segment?: string }> {
  const fs = options.fs ?? nodeWalFs;
  const { segments } = await listExisting(fs, dir);
  const newest = segments[segments.length - 1];
  if (!newest) return { truncatedBytes: 0, truncatedRecords: 0, skippedCorruptRecords: 0 };
  const { report } = await recoverTail(fs, newest.path, options.readChunkBytes ?? DEFAULT_CHUNK_BYTES, options.recordBytesMax ?? DEFAULT_RECORD_BYTES_MAX);
  return { ...report, segment: newest.name };
}

/** The report as text for `shopstream-collector wal verify <dir>`. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = [`write-ahead log ${report.dir}: ${report.ok ? 'OK' : 'PROBLEMS FOUND'}`];
  const totalBytes = report.segments.reduce((sum, s) => sum + s.bytes, 0);
  const totalRecords = report.segments.reduce((sum, s) => sum + s.records, 0);
  lines.push(`${report.segments.length} segment(s), ${totalRecords} record(s), ${totalBytes} bytes`);
  for (const segment of report.segments) {
    lines.push(`  ${segment.name}  first Lsn ${segment.firstLsn}  ${segment.bytes} bytes  ${segment.records} records${segment.corrupt.length ? `  ${segment.corrupt.length} CORRUPT range(s)` : ''}`);
    for (const range of segment.corrupt) lines.push(`    corrupt at Lsn ${range.lsn}: ${range.bytes} bytes skipped (${range.reason})`);
  }
  if (report.tornTail) lines.push(`torn tail: ${report.tornTail.bytes} bytes at Lsn ${report.tornTail.lsn} in ${report.tornTail.segment} (cut by open or \`wal repair\`)`);
  for (const gap of report.gaps) lines.push(`gap after ${gap.after}: expected a segment at Lsn ${gap.expectedLsn}, found ${gap.foundLsn}`);
  lines.push(`${report.cursors.length} cursor(s)`);
  for (const cursor of report.cursors) {
    const state = cursor.state ? `committed ${cursor.state.committed}${cursor.state.inflight ? `, inflight ${cursor.state.inflight.from}..${cursor.state.inflight.to}` : ''}` : `ERROR ${cursor.error}`;
    lines.push(`  ${cursor.name}: ${state}`);
  }
  if (report.strays.length) lines.push(`ignored files: ${report.strays.join(', ')}`);
  return lines.join('\n');
}

async function listExisting(fs: WalFs, dir: string): ReturnType<typeof listSegmentFiles> {
  try {
    return await listSegmentFiles(fs, dir);
  } catch (error) {
    if (isMissing(error)) throw new WalError('COLLECTOR_WAL_NOT_FOUND', `There is no write-ahead log at ${dir}: the directory does not exist.`, { cause: error });
    throw error;
  }
}

async function readCursors(fs: WalFs, dir: string): Promise<{ cursors: VerifyReport['cursors'][number][]; cursorStrays: string[] }> {
  const cursorDir = join(dir, CURSOR_DIR_NAME);
  let names: string[];
  try {
    names = (await fs.readdir(cursorDir)).sort();
  } catch (error) {
    if (isMissing(error)) return { cursors: [], cursorStrays: [] };
    throw error;
  }
  const cursors: VerifyReport['cursors'][number][] = [];
  const cursorStrays: string[] = [];
  for (const file of names) {
    if (!file.endsWith('.json')) {
      cursorStrays.push(file);
      continue;
    }
    const name = file.slice(0, -'.json'.length);
    try {
      const text = Buffer.from(await fs.readFile(join(cursorDir, file))).toString('utf8');
      cursors.push({ name, state: parseCursorState(name, text) });
    } catch (error) {
      cursors.push({ name, error: (error as Error).message });
    }
  }
  return { cursors, cursorStrays };
}
