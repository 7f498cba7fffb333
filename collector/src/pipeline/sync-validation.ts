/**
 * Synchronous validation for developers: with `X-Shopstream-Validate: sync` (the default when
 * `NODE_ENV=development`) the batch route, after the WAL append as usual, runs the batch through
 * decode → stamp → event-bytes → validate and answers per event whether it was accepted and why
 * not. Nothing here writes anywhere: the WAL record goes through the normal chain later, so the
 * answer is a preview of what will land in `clean` and `failed` (duplicates aside).
 */
import type { IngestRecord } from './ingest-record.js';
import { encodeIngestRecord } from './ingest-record.js';
import type { Processor } from './processor.js';

export interface SyncVerdict {
  readonly id?: string;
  readonly type?: string;
  readonly status: 'accepted' | 'rejected';
  readonly code?: string;
  readonly reason?: string;
}

export interface SyncValidationResult {
  readonly accepted: number;
  readonly rejected: number;
  readonly events: readonly SyncVerdict[];
}

export const VALIDATE_HEADER = 'x-shopstream-validate';

/** `sync`/`async` from the header; otherwise the configured default. */
export function wantsSyncValidation(header: string | string[] | undefined, byDefault: boolean): boolean {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  if (value === 'sync') return true;
  if (value === 'async') return false;
  return byDefault;
}

export async function validateSync(checker: Processor, record: IngestRecord): Promise<SyncValidationResult> {
  const data = encodeIngestRecord(record);
  const outcome = await checker.process({ lsn: -1, nextLsn: -1, data });
  // The preview chain has no dedupe, the only stage that asks to retry.
  if (outcome.status === 'retry') throw outcome.error;
  const { records } = outcome;
  const events: SyncVerdict[] = [];
  for (const out of records) {
    if (out.zone === 'clean') {
      events.push({ id: out.eventId, type: out.eventType, status: 'accepted' } as SyncVerdict);
    } else if (out.zone === 'failed') {
      const value = JSON.parse(out.json) as { reason: { code: string; message: string }; item?: { id?: unknown; type?: unknown } };
      const id = typeof value.item?.id === 'string' ? value.item.id : undefined;
      events.push({ ...(id ? { id } : {}), type: out.eventType, status: 'rejected', code: value.reason.code, reason: value.reason.message });
    }
  }
  const accepted = events.filter((e) => e.status === 'accepted').length;
  return { accepted, rejected: events.length - accepted, events };
}
