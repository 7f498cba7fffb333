/**
 * Invariants the design documents (collector/src/wal/README.md, the sink loop's header) are
 * asserted where they must hold, as TigerBeetle does: a broken one is a bug, so it throws an
 * `InvariantError` that nothing retries; the delivery worker restarts from the durable cursors
 * and the WAL, which is what recovery is built for. The message is built only on failure.
 */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
  readonly code = 'COLLECTOR_INVARIANT_BROKEN';
}

export function invariant(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new InvariantError(`invariant broken: ${message()}`);
}

export function isInvariantError(error: unknown): error is InvariantError {
  return error instanceof Error && error.name === 'InvariantError';
}
