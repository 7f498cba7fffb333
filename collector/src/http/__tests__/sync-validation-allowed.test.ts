/**
 * `X-Shopstream-Validate: sync` previews a stored batch on the HTTP thread; with a public write key
 * any client may ask for it. `ingest.syncValidationAllowed: false` lets an operator turn it off:
 * the header is then ignored and the answer is the plain acknowledgement.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../../app.js';
import { sinkTypes } from '../../sinks/built-in-sink-types.js';
import { parseConfig } from '../../config/config.js';

let dir: string | undefined;
let collector: RunningCollector | undefined;
afterEach(async () => {
  await collector?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function answerWithHeader(allowed: boolean | undefined): Promise<Record<string, unknown>> {
  dir = await mkdtemp(join(tmpdir(), 'collector-sync-'));
  const config = parseConfig(
    { listen: { port: 0 }, wal: { dir: join(dir, 'wal') }, lake: { dir: join(dir, 'lake') }, delivery: { thread: 'main' }, sinks: [{ type: 'lake' }], ...(allowed === undefined ? {} : { ingest: { syncValidationAllowed: allowed } }) },
    sinkTypes,
  );
  collector = await startCollector(config, { log: pino({ level: 'silent' }) });
  const res = await fetch(`${collector.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer dev-key', 'x-shopstream-validate': 'sync' },
    body: JSON.stringify([{ id: 'e-1', type: 'Cart Viewed', timestamp: '2026-12-05T09:00:00Z' }]),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as Record<string, unknown>;
  await collector.close();
  collector = undefined;
  await rm(dir, { recursive: true, force: true });
  return body;
}

it('previews a batch for X-Shopstream-Validate: sync by default, and ignores the header when syncValidationAllowed is false', async () => {
  expect(await answerWithHeader(undefined)).toMatchObject({ ok: true, validation: { accepted: 1, rejected: 0 } });
  expect(await answerWithHeader(false)).not.toHaveProperty('validation');
});
