// Operator flow for sealed payloads: `shopstream-collector keygen` prints key pairs; a collector
// configured with both the old and the new private key takes frames sealed to either during the
// overlap, and once the old key is removed its frames are refused with the key id named.
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createSealer } from '@shopstream/shared';
import { COLLECTOR_CLI, startCollectorProcess, type CollectorProcess } from '../support/collector-process.js';
import { PII_CONFIG, cartViewed, expectRefused, frame, post, waitInLake } from './ingest-harness.js';

const started: CollectorProcess[] = [];
afterAll(async () => {
  for (const c of started) await c.cleanup();
});

function keygen(keyId: number) {
  const run = spawnSync(process.execPath, [COLLECTOR_CLI, 'keygen', '--key-id', String(keyId)], { encoding: 'utf8' });
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as { sdk: { keyId: number; publicKeyJwk: JsonWebKey }; collector: { keyId: number; privateKeyJwk: JsonWebKey } };
}

describe('sealing key rotation', () => {
  it('accepts both keys during the overlap and names the retired key afterwards', async () => {
    const [oldKey, newKey] = [keygen(1), keygen(2)];
    const config = (keys: unknown[]) => ({ sources: [{ id: 'web', writeKey: 'web-key-1' }], ingest: { pii: PII_CONFIG, decryption: { keys } } });
    const overlap = await startCollectorProcess({ config: config([oldKey.collector, newKey.collector]) });
    started.push(overlap);
    const events = [cartViewed(), cartViewed()];
    for (const [i, key] of [oldKey, newKey].entries()) {
      expect((await post(overlap.url, await frame([events[i]!], createSealer(key.sdk)), 'web-key-1')).status).toBe(200);
    }
    await waitInLake(overlap.lakeDir, 'clean', events.map((e) => e.id), 'frames sealed with the old and the new key');

    const after = await startCollectorProcess({ config: config([newKey.collector]) });
    started.push(after);
    await expectRefused(await post(after.url, await frame([cartViewed()], createSealer(oldKey.sdk)), 'web-key-1'), 400, 'SHARED_CRYPTO_UNKNOWN_KEY', /key id 1, which this collector does not hold \(known key ids: 2\)/);
    const fresh = cartViewed();
    expect((await post(after.url, await frame([fresh], createSealer(newKey.sdk)), 'web-key-1')).status).toBe(200);
    await waitInLake(after.lakeDir, 'clean', [fresh.id], 'a frame sealed with the new key after the old one was retired');
  });
});
