/**
 * Parquet files for the lake, written by DuckDB's own Parquet writer (`@duckdb/node-api`, in
 * process, ./duckdb-session.ts): dictionary encoding where it pays, ZSTD (or Snappy) pages,
 * min/max statistics per column chunk, row groups of `rowGroupRows`. The rows are the lake rows
 * (./lake-row.ts) read with the table's explicit column list (./sql-types.ts), so the Parquet
 * file holds exactly the columns and values the NDJSON file of the same rows does, and DuckDB
 * samples nothing.
 *
 * Rows go through a temp NDJSON file beside the output path (the caller's staging folder); the
 * caller then moves the Parquet file into place (local lake: atomic rename; S3: upload).
 */
import { open, rm, writeFile } from 'node:fs/promises';
import { createDuckdbSession, type DuckdbSession } from './duckdb-session.js';
import { duckdbColumnsArgument, quoteIdent, quoteLiteral } from './sql-types.js';
import type { TableSchema } from './table-schema.js';

export type ParquetCodec = 'zstd' | 'snappy';

export interface ParquetWriterOptions {
  /** Default `zstd`; `snappy` for readers without ZSTD. */
  readonly codec?: ParquetCodec;
  /** Rows per row group; DuckDB's default 122,880 (tens of MiB of events), which engines split well. */
  readonly rowGroupRows?: number;
  /** Share a session (compaction and writer in one process); default: a private one. */
  readonly session?: DuckdbSession;
}

export interface ParquetWriter {
  /** Writes `lines` (lake rows of `table`) as a Parquet file at `path` and fsyncs it; returns its size in bytes. */
  write(lines: readonly string[], table: TableSchema, path: string): Promise<number>;
  close(): Promise<void>;
}

/** Largest row DuckDB's JSON reader accepts, bytes: above every sink's recordBytesMax. */
export const LAKE_ROW_BYTES_MAX = 64 * 1024 * 1024;

/** DuckDB's reader of lake-row NDJSON files (plain or gzip) with the table's explicit columns. */
export function readLakeRowsSql(files: readonly string[], table: TableSchema): string {
  return `read_json([${files.map(quoteLiteral).join(', ')}], format = 'newline_delimited', columns = ${duckdbColumnsArgument(table.columns)}, hive_partitioning = false, maximum_object_size = ${LAKE_ROW_BYTES_MAX})`;
}

export function columnListSql(table: TableSchema): string {
  return table.columns.map((c) => quoteIdent(c.name)).join(', ');
}

/** Opens `path` to fsync it (DuckDB does not); returns its size. */
export async function syncFile(path: string): Promise<number> {
  const file = await open(path, 'r+');
  try {
    await file.sync();
    return (await file.stat()).size;
  } finally {
    await file.close();
  }
}

export function createParquetWriter(options: ParquetWriterOptions = {}): ParquetWriter {
  const codec = options.codec ?? 'zstd';
  const rowGroupRows = options.rowGroupRows ?? 122_880;
  const session = options.session ?? createDuckdbSession();
  return {
    async write(lines, table, path) {
      const rows = `${path}.rows.ndjson`;
      try {
        await writeFile(rows, `${lines.join('\n')}\n`);
        await session.run(`COPY (SELECT ${columnListSql(table)} FROM ${readLakeRowsSql([rows], table)}) TO ${quoteLiteral(path)} (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE ${rowGroupRows})`);
        return await syncFile(path);
      } finally {
        await rm(rows, { force: true });
      }
    },
    async close() {
      if (!options.session) await session.close();
    },
  };
}
