import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigReader } from '../../config/config-reader.js';
import { parseIngestConfig } from '../ingest-config.js';

const parse = (raw: unknown, env: NodeJS.ProcessEnv = {}) => parseIngestConfig(ConfigReader.of(raw, 'ingest'), ['web', 'srv'], env);
const message = (raw: unknown) => {
  try {
    parse(raw);
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`;
  }
  return 'no error';
};

describe('ingest config', () => {
  it('has safe defaults; sync validation follows NODE_ENV=development', () => {
    const config = parse(undefined);
    expect(config).toMatchObject({ signatureWindowMs: 300_000, eventBytesMax: 32_768, jsonBodyBytesMax: 512_000, syncValidation: false, dedupe: { store: 'memory', failMode: 'closed', windowMs: 86_400_000 } });
    expect(config.pii).toBeUndefined();
    expect(parse(undefined, { NODE_ENV: 'development' }).syncValidation).toBe(true);
  });

  it('reads rate limits, dedupe, decryption keys and PII keys', () => {
    const key = randomBytes(32).toString('base64');
    const config = parse({
      rateLimits: [{ source: 'web', requestsPerSec: 100, eventsPerSec: 5000 }],
      dedupe: { store: 'redis', redisUrl: 'redis://127.0.0.1:6400', failMode: 'open' },
      decryption: { keys: [{ keyId: 3, privateKeyJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' } }] },
      pii: { hashKey: key, encryptKeyId: 'k1', encryptKey: key, decryptKeys: [{ keyId: 'k0', key }] },
    });
    expect(config.rateLimits.get('web')).toEqual({ requestsPerSec: 100, eventsPerSec: 5000, burstSec: 2 });
    expect(config.dedupe).toMatchObject({ store: 'redis', redisUrl: 'redis://127.0.0.1:6400', failMode: 'open' });
    expect(config.decryption.keys.map((k) => k.keyId)).toEqual([3]);
    expect(config.pii?.encryptKey.key.length).toBe(32);
  });

  it('refuses mistakes with one line naming the key', () => {
    expect(message({ rateLimits: [{ source: 'nope', requestsPerSec: 1 }] })).toBe('COLLECTOR_CONFIG_INVALID: config: ingest.rateLimits[0].source must name a configured source (web, srv), got "nope"');
    expect(message({ dedupe: { failMode: 'maybe' } })).toMatch(/ingest\.dedupe\.failMode must be one of "open", "closed"/);
    expect(message({ pii: { hashKey: 'c2hvcnQ=', encryptKeyId: 'k1', encryptKey: 'c2hvcnQ=' } })).toMatch(/ingest\.pii\.hashKey must be 32 to 128 bytes in base64/);
    expect(message({ decryption: { keys: [{ keyId: 1, privateKeyJwk: { kty: 'EC' } }] } })).toMatch(/ingest\.decryption\.keys\[0\]\.privateKeyJwk must be a P-256 private JWK/);
    expect(message({ dedupeWindow: 5 })).toMatch(/ingest\.dedupeWindow is not a known key/);
  });
});
