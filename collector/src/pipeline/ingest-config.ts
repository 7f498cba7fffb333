/**
 * The `ingest` section of the collector config: everything the ingest stages need, with
 * defaults that work for a developer and are safe in production.
 *
 * ```yaml
 * ingest:
 *   signatureWindowMs: 300000        # ±5 min for X-Shopstream-Timestamp
 *   eventBytesMax: 32768             # per event, as Segment (failed zone past it)
 *   jsonBodyBytesMax: 512000         # JSON (Segment-compatible) requests, as Segment's 500 KB
 *   syncValidation: true             # default: NODE_ENV=development; per request: X-Shopstream-Validate: sync
 *   syncValidationAllowed: true      # false: the header is ignored (a public write key cannot ask for decoding on the HTTP thread)
 *   rateLimits: [{ source: web, requestsPerSec: 200, eventsPerSec: 5000, burstSec: 2 }]
 *   schemas: { customDir: ./schemas, strict: false, watch: true }
 *   dedupe: { store: redis, redisUrl: redis://127.0.0.1:6379, windowMs: 86400000, failMode: closed }
 *   decryption: { keys: [{ keyId: 1, privateKeyJwk: {...} }] }   # from `shopstream-collector keygen`
 *   pii: { hashKey: <base64, ≥32 B>, encryptKeyId: k1, encryptKey: <base64, 32 B>, decryptKeys: [{ keyId, key }] }
 *   nodeId: collector-a              # default: generated once, kept in <wal.dir>/node-id
 * ```
 */
import type { OpenerKey } from '@shopstream/shared';
import { ConfigError, type ConfigReader } from '../config/config-reader.js';
import { DEDUPE_WINDOW_MS_DEFAULT, type DedupeFailMode } from './dedupe/deduper.js';
import type { SourceRateLimit } from '../gates/rate-limit/source-rate-limiter.js';
import { SIGNATURE_WINDOW_MS_DEFAULT } from '../gates/signature/request-signature.js';
import { EVENT_BYTES_MAX_DEFAULT } from './limits/event-bytes-stage.js';
import { SEGMENT_BATCH_BYTES_MAX } from './segment/segment-to-envelopes.js';

export type DedupeStore = 'memory' | 'redis' | 'off';

export interface IngestConfig {
  readonly nodeId?: string;
  readonly signatureWindowMs: number;
  readonly eventBytesMax: number;
  readonly jsonBodyBytesMax: number;
  /** Sync validation for requests that do not say (`X-Shopstream-Validate: sync|async`). */
  readonly syncValidation: boolean;
  /** False: `X-Shopstream-Validate` is ignored and nothing is previewed on the HTTP thread. */
  readonly syncValidationAllowed: boolean;
  readonly rateLimits: ReadonlyMap<string, SourceRateLimit>;
  readonly schemas: { readonly customDir?: string; readonly strict: boolean; readonly watch: boolean };
  readonly dedupe: {
    readonly store: DedupeStore;
    readonly windowMs: number;
    readonly idsMax: number;
    readonly redisUrl: string;
    readonly keyPrefix: string;
    readonly failMode: DedupeFailMode;
    readonly commandTimeoutMs: number;
  };
  readonly decryption: { readonly keys: readonly OpenerKey[] };
  readonly pii?: {
    readonly hashKey: Uint8Array;
    readonly encryptKey: { readonly keyId: string; readonly key: Uint8Array };
    readonly decryptKeys: readonly { readonly keyId: string; readonly key: Uint8Array }[];
  };
}

function base64Key(reader: ConfigReader, name: string, bytesMin: number, bytesMax: number): Uint8Array {
  const text = reader.str(name);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length < bytesMin || bytes.length > bytesMax || bytes.toString('base64').replace(/=+$/, '') !== text.replace(/=+$/, '')) {
    throw new ConfigError(reader.key(name), bytesMin === bytesMax ? `must be ${bytesMin} bytes in base64` : `must be ${bytesMin} to ${bytesMax} bytes in base64`, `${text.slice(0, 6)}…`);
  }
  return bytes;
}

export function parseIngestConfig(section: ConfigReader, sourceIds: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): IngestConfig {
  const nodeId = section.raw('nodeId') === undefined ? undefined : section.str('nodeId', undefined, { re: /^[A-Za-z0-9_.-]{1,64}$/, says: '1 to 64 letters, digits, . - or _' });
  const signatureWindowMs = section.int('signatureWindowMs', SIGNATURE_WINDOW_MS_DEFAULT, { min: 1000, max: 3_600_000, unit: 'ms' });
  const eventBytesMax = section.int('eventBytesMax', EVENT_BYTES_MAX_DEFAULT, { min: 256, max: 16 * 1024 * 1024, unit: 'bytes' });
  const jsonBodyBytesMax = section.int('jsonBodyBytesMax', SEGMENT_BATCH_BYTES_MAX, { min: 1024, max: 256 * 1024 * 1024, unit: 'bytes' });
  const syncValidation = section.bool('syncValidation', env.NODE_ENV === 'development');
  const syncValidationAllowed = section.bool('syncValidationAllowed', true);

  const known = new Set(sourceIds);
  const rateLimits = new Map<string, SourceRateLimit>();
  for (const entry of section.list('rateLimits', [], { by: 'source' })) {
    const source = entry.str('source');
    if (!known.has(source)) throw new ConfigError(entry.key('source'), `must name a configured source (${sourceIds.join(', ')})`, source);
    const limit: SourceRateLimit = {
      ...(entry.raw('requestsPerSec') === undefined ? {} : { requestsPerSec: entry.int('requestsPerSec', 0, { min: 1, max: 10_000_000, unit: 'requests/s' }) }),
      ...(entry.raw('eventsPerSec') === undefined ? {} : { eventsPerSec: entry.int('eventsPerSec', 0, { min: 1, max: 100_000_000, unit: 'events/s' }) }),
      burstSec: entry.int('burstSec', 2, { min: 1, max: 3600, unit: 's' }),
    };
    entry.done();
    rateLimits.set(source, limit);
  }

  const schemasIn = section.section('schemas');
  const customDir = schemasIn.optionalStr('customDir');
  const schemas = { ...(customDir ? { customDir } : {}), strict: schemasIn.bool('strict', false), watch: schemasIn.bool('watch', true) };
  schemasIn.done();

  const dedupeIn = section.section('dedupe');
  const dedupe = {
    store: dedupeIn.oneOf<DedupeStore>('store', 'memory', ['memory', 'redis', 'off']),
    windowMs: dedupeIn.int('windowMs', DEDUPE_WINDOW_MS_DEFAULT, { min: 1000, max: 30 * 24 * 3_600_000, unit: 'ms' }),
    idsMax: dedupeIn.int('idsMax', 1_000_000, { min: 1000, max: 100_000_000, unit: 'ids' }),
    redisUrl: dedupeIn.str('redisUrl', 'redis://127.0.0.1:6379'),
    keyPrefix: dedupeIn.str('keyPrefix', 'shopstream:dedupe:'),
    failMode: dedupeIn.oneOf<DedupeFailMode>('failMode', 'closed', ['open', 'closed']),
    commandTimeoutMs: dedupeIn.int('commandTimeoutMs', 1000, { min: 10, max: 60_000, unit: 'ms' }),
  };
  dedupeIn.done();

  const decryptionIn = section.section('decryption');
  const keys = decryptionIn.list('keys', []).map((entry): OpenerKey => {
    const keyId = entry.int('keyId', 0, { min: 1, max: 0xffff_ffff });
    const jwk = entry.raw('privateKeyJwk');
    if (!jwk || typeof jwk !== 'object' || typeof (jwk as JsonWebKey).d !== 'string') {
      throw new ConfigError(entry.key('privateKeyJwk'), 'must be a P-256 private JWK ({ kty, crv, x, y, d }) as printed by `shopstream-collector keygen`', '(object)');
    }
    entry.done();
    return { keyId, privateKeyJwk: jwk as JsonWebKey };
  });
  decryptionIn.done();

  let pii: IngestConfig['pii'];
  if (section.present('pii')) {
    const piiIn = section.section('pii');
    pii = {
      hashKey: base64Key(piiIn, 'hashKey', 32, 128),
      encryptKey: { keyId: piiIn.str('encryptKeyId', undefined, { re: /^[A-Za-z0-9_-]{1,64}$/, says: '1 to 64 letters, digits, - or _' }), key: base64Key(piiIn, 'encryptKey', 32, 32) },
      decryptKeys: piiIn.list('decryptKeys', [], { by: 'keyId' }).map((entry) => {
        const key = { keyId: entry.str('keyId'), key: base64Key(entry, 'key', 32, 32) };
        entry.done();
        return key;
      }),
    };
    piiIn.done();
  }

  section.done();
  return { ...(nodeId ? { nodeId } : {}), signatureWindowMs, eventBytesMax, jsonBodyBytesMax, syncValidation, syncValidationAllowed, rateLimits, schemas, dedupe, decryption: { keys }, ...(pii ? { pii } : {}) };
}
