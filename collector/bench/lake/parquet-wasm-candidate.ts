/**
 * A candidate Parquet writer the lake bench measures beside DuckDB's: parquet-wasm 0.8 (Rust's
 * arrow-rs writer in WebAssembly) over Arrow tables built with apache-arrow 21 from the same lake
 * rows and column types (ZSTD, dictionaries, statistics, the same row group size). Not a
 * dependency of the collector: the bench includes it only when both packages are installed
 * (`npm i --no-save parquet-wasm@0.8 apache-arrow@21` in collector/).
 */
import type { Column, ColumnType, TableSchema } from '../../src/lake/table-schema.js';

type Arrow = typeof import('apache-arrow');
type ParquetWasm = typeof import('parquet-wasm');

export interface ParquetWasmCandidate {
  encode(lines: readonly string[], table: TableSchema): Uint8Array;
}

function arrowType(arrow: Arrow, type: ColumnType): InstanceType<Arrow['DataType']> {
  switch (type.kind) {
    case 'varchar':
    case 'json':
      return new arrow.Utf8();
    case 'double':
      return new arrow.Float64();
    case 'bigint':
      return new arrow.Int64();
    case 'integer':
      return new arrow.Int32();
    case 'boolean':
      return new arrow.Bool();
    case 'timestamp':
      return new arrow.TimestampMillisecond('UTC');
    case 'list':
      return new arrow.List(new arrow.Field('item', arrowType(arrow, type.items), true));
    case 'struct':
      return new arrow.Struct(type.fields.map((f) => new arrow.Field(f.name, arrowType(arrow, f.type), true)));
  }
}

/** A row value as Arrow's builders take it: JSON columns as text, times as epoch ms, int64 as bigint. */
function arrowValue(value: unknown, type: ColumnType): unknown {
  if (value === undefined || value === null) return null;
  switch (type.kind) {
    case 'json':
      return JSON.stringify(value);
    case 'timestamp':
      return Date.parse(value as string);
    case 'bigint':
      return BigInt(value as number);
    case 'list':
      return (value as unknown[]).map((item) => arrowValue(item, type.items));
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const field of type.fields) out[field.name] = arrowValue((value as Record<string, unknown>)[field.name], field.type);
      return out;
    }
    default:
      return value;
  }
}

export async function loadParquetWasmCandidate(): Promise<ParquetWasmCandidate | undefined> {
  let arrow: Arrow;
  let wasm: ParquetWasm;
  try {
    arrow = await import('apache-arrow');
    wasm = await import('parquet-wasm');
  } catch {
    return undefined;
  }
  const properties = () =>
    new wasm.WriterPropertiesBuilder().setCompression(wasm.Compression.ZSTD).setDictionaryEnabled(true).setStatisticsEnabled(wasm.EnabledStatistics.Page).setMaxRowGroupSize(122_880).build();
  return {
    encode(lines, table) {
      const rows = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const vectors: Record<string, unknown> = {};
      for (const column of table.columns as Column[]) {
        const type = arrowType(arrow, column.type);
        vectors[column.name] = arrow.vectorFromArray(rows.map((row) => arrowValue(row[column.name], column.type)), type);
      }
      const arrowTable = new arrow.Table(vectors as ConstructorParameters<Arrow['Table']>[0]);
      const ipc = arrow.tableToIPC(arrowTable, 'stream');
      return wasm.writeParquet(wasm.Table.fromIPCStream(ipc), properties());
    },
  };
}
