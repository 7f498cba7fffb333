/**
 * One in-process DuckDB (`@duckdb/node-api`) for the lake's writers and compaction: loaded on
 * first use only (a collector that writes no Parquet and never compacts does not pay its start),
 * one thread, statements run one at a time in order. A failed statement rejects its own promise
 * and does not block the ones after it.
 */
export interface DuckdbSession {
  run(sql: string): Promise<void>;
  /** Rows as plain JSON-able objects (BIGINT as string). */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

interface Connection {
  run(sql: string): Promise<unknown>;
  runAndReadAll(sql: string): Promise<{ getRowObjectsJson(): unknown[] }>;
  closeSync(): void;
}

export function createDuckdbSession(): DuckdbSession {
  let connection: Promise<Connection> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const connect = async (): Promise<Connection> => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    return (await db.connect()) as unknown as Connection;
  };
  const serial = <T>(task: (db: Connection) => Promise<T>): Promise<T> => {
    const run = queue.then(async () => task(await (connection ??= connect())));
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    run: (sql) => serial(async (db) => void (await db.run(sql))),
    rows: (sql) => serial(async (db) => (await db.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]),
    async close() {
      await queue;
      if (connection) (await connection.catch(() => undefined))?.closeSync();
      connection = undefined;
    },
  };
}
