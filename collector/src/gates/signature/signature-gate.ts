/**
 * Ack-path gate: a source configured with a `secret` or `secrets` must sign every request (./request-signature.ts).
 * Runs on the raw body bytes, after the write-key gate has found the source and before anything
 * is decoded. 401 `COLLECTOR_AUTH_BAD_SIGNATURE` (missing, malformed, unknown key id or wrong) or
 * `COLLECTOR_AUTH_STALE_SIGNATURE` (right, but outside the ±window: a replay or a wrong clock).
 */
import { CollectorError } from '../../errors.js';
import type { IngestGate } from '../ingest-gate.js';
import { checkSignature, SIGNATURE_HEADER, SIGNATURE_WINDOW_MS_DEFAULT, TIMESTAMP_HEADER } from './request-signature.js';

export interface SignatureGateOptions {
  readonly windowMs?: number;
  readonly nowMs?: () => number;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function signatureGate(options: SignatureGateOptions = {}): IngestGate {
  const windowMs = options.windowMs ?? SIGNATURE_WINDOW_MS_DEFAULT;
  const nowMs = options.nowMs ?? Date.now;
  return {
    name: 'signature',
    onBody(request, rawBody) {
      const secrets = request.source?.secrets ?? (request.source?.secret === undefined ? undefined : [{ secret: request.source.secret }]);
      if (secrets === undefined || secrets.length === 0) return undefined;
      const check = checkSignature(secrets, {
        timestamp: header(request.headers[TIMESTAMP_HEADER]),
        signature: header(request.headers[SIGNATURE_HEADER]),
        body: rawBody,
        nowMs: nowMs(),
        windowMs,
      });
      switch (check) {
        case 'valid':
          return undefined;
        case 'stale':
          return new CollectorError(
            'COLLECTOR_AUTH_STALE_SIGNATURE',
            `The request signature is valid but its X-Shopstream-Timestamp is more than ${windowMs / 1000} s away from the collector's clock; sign each attempt afresh and check the sender's clock.`,
            { status: 401 },
          );
        case 'missing':
          return new CollectorError('COLLECTOR_AUTH_BAD_SIGNATURE', `Source "${request.source!.id}" requires signed requests: send X-Shopstream-Timestamp and X-Shopstream-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>.`, { status: 401 });
        case 'malformed':
          return new CollectorError('COLLECTOR_AUTH_BAD_SIGNATURE', 'The signature headers are malformed: X-Shopstream-Timestamp must be unix milliseconds and X-Shopstream-Signature "[kid=<key id>,]v1=<64 hex digits>".', { status: 401 });
        case 'unknown_key': {
          const ids = secrets.flatMap((s) => (s.id === undefined ? [] : [s.id]));
          return new CollectorError(
            'COLLECTOR_AUTH_BAD_SIGNATURE',
            `The signature names a key id (kid=) that source "${request.source!.id}" does not have${ids.length ? ` (its key ids: ${ids.join(', ')})` : ''}: sign with a current secret and its id.`,
            { status: 401 },
          );
        }
        case 'mismatch':
          return new CollectorError('COLLECTOR_AUTH_BAD_SIGNATURE', 'The request signature does not match the body: check the source secret and sign the exact bytes sent.', { status: 401 });
      }
    },
  };
}
