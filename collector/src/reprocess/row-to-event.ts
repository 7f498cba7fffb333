/**
 * A lake row back into the event it was made from: the inverse of `lakeRow` (../lake/lake-row.ts)
 * for what reprocessing needs. Lineage columns the collector added (`requestId`, `walLsn`,
 * `walIndex`) are removed; every value `extra` and `invalid` hold is put back at its path (an
 * `invalid` list item returns into its list slot), so an event with an ill-typed value is sent
 * again exactly as received, and the current schemas judge it again.
 * Parquet rows arrive here already shaped like NDJSON ones (./parquet-rows.ts).
 */
const LINEAGE = new Set(['requestId', 'walLsn', 'walIndex', 'extra', 'invalid', 'dt', 'hr', 'source_id', 'event_type']);

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** JSON columns may come back as text (DuckDB); objects pass through. */
export function jsonValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export function rowToEvent(row: Json): Json {
  const event: Json = {};
  for (const key of Object.keys(row)) if (!LINEAGE.has(key)) event[key] = row[key];
  for (const column of ['extra', 'invalid'] as const) {
    const leftovers = jsonValue(row[column]);
    if (isObject(leftovers)) putBack(event, leftovers);
  }
  return event;
}

/** Puts each leaf of `leftovers` at its path in `target` (arrays: by index). */
function putBack(target: Json | unknown[], leftovers: Json): void {
  for (const key of Object.keys(leftovers)) {
    const value = leftovers[key];
    const slot: unknown = Array.isArray(target) ? target[Number(key)] : target[key];
    if (isObject(value) && (isObject(slot) || Array.isArray(slot))) {
      putBack(slot as Json | unknown[], value);
      continue;
    }
    if (Array.isArray(target)) {
      const index = Number(key);
      if (Number.isSafeInteger(index) && index >= 0) target[index] = value;
    } else if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    else target[key] = value;
  }
}
