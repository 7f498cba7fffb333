/**
 * Re-ingest: batches of events posted to a running collector as JSON (`POST /v1/batch`) with the
 * write key of the source they came from (and its HMAC signature when the source has secrets),
 * so the WAL, dedupe, validation with the current schemas, PII and every sink apply exactly as
 * for live traffic. `X-Shopstream-Validate: sync` makes the answer say, per event, whether it
 * passed and, if not, its code.
 *
 * Batches stay within `batchBytesMax` (below the collector's `ingest.jsonBodyBytesMax`) and
 * `batchEventsMax`. A 429/503 answer is waited out (its `Retry-After`, at most
 * `RETRIES_MAX` times); any other refusal stops the run with the collector's code and message.
 */
import type { SourceConfig } from '../config/config.js';
import { CollectorError } from '../errors.js';
import { signRequest } from '../gates/signature/request-signature.js';

export interface EventBatch {
  readonly source: string;
  /** A JSON array of events. */
  readonly body: string;
  readonly count: number;
}

export interface BatchOutcome {
  readonly passed: number;
  readonly failedByCode: Readonly<Record<string, number>>;
}

const RETRIES_MAX = 10;
const RETRY_AFTER_MS_MAX = 30_000;

const sendError = (message: string) => new CollectorError('COLLECTOR_REPROCESS_SEND', message);

export function createResender(collectorUrl: string, sources: readonly SourceConfig[], sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))) {
  const url = new URL('/v1/batch', collectorUrl).toString();
  const byId = new Map(sources.map((s) => [s.id, s]));
  return async function send(batch: EventBatch): Promise<BatchOutcome> {
    const source = byId.get(batch.source);
    if (!source) throw sendError(`source "${batch.source}" is not in the config: its write key is needed to send its events again`);
    for (let attempt = 0; ; attempt++) {
      const secret = source.secrets?.[0];
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        authorization: `Bearer ${source.writeKey}`,
        'x-shopstream-validate': 'sync',
        ...(secret ? signRequest(secret.secret, Buffer.from(batch.body), Date.now(), secret.id) : {}),
      };
      const res = await fetch(url, { method: 'POST', headers, body: batch.body });
      const text = await res.text();
      if (res.status === 200) return outcomeOf(text, batch.count);
      if ((res.status === 429 || res.status === 503) && attempt < RETRIES_MAX) {
        const afterS = Number(res.headers.get('retry-after'));
        await sleep(Math.min(RETRY_AFTER_MS_MAX, Number.isFinite(afterS) && afterS > 0 ? afterS * 1000 : 1000));
        continue;
      }
      throw sendError(`the collector refused a batch of ${batch.count} events of source "${batch.source}": HTTP ${res.status} ${text.slice(0, 500)}`);
    }
  };
}

function outcomeOf(text: string, count: number): BatchOutcome {
  const answer = JSON.parse(text) as { validation?: { accepted: number; events: { status: string; code?: string }[]; skipped?: unknown } };
  const validation = answer.validation;
  // Stored, but the collector could not preview it (memory budget): counted as passed, the lake decides.
  if (!validation || validation.skipped !== undefined || !Array.isArray(validation.events)) return { passed: count, failedByCode: {} };
  const failedByCode: Record<string, number> = {};
  for (const event of validation.events) if (event.status !== 'accepted') failedByCode[event.code ?? 'unknown'] = (failedByCode[event.code ?? 'unknown'] ?? 0) + 1;
  return { passed: validation.accepted, failedByCode };
}
