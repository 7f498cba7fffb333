// Custom schemas load from a folder at start and reload without a restart when a file changes;
// a broken file keeps the previous set, and the collector goes on serving.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';
import { PII_CONFIG, cartViewed, failedById, frame, post, waitInLake } from './ingest-harness.js';

let collector: CollectorProcess;
let schemas: string;
const wishlist = (required: string[]) => JSON.stringify({
  'x-event': { name: 'Wishlist Shared', kind: 'track', version: '1.0.0' },
  type: 'object',
  properties: { properties: { type: 'object', properties: { wishlist_id: { type: 'string' } }, required } },
});

beforeAll(async () => {
  schemas = await mkdtemp(join(tmpdir(), 'custom-schemas-'));
  await writeFile(join(schemas, 'wishlist-shared@1.0.0.json'), wishlist([]));
  collector = await startCollectorProcess({ config: { sources: [{ id: 'web', writeKey: 'web-key-1' }], ingest: { pii: PII_CONFIG, schemas: { customDir: schemas, watch: true } } } });
});
afterAll(async () => {
  await collector?.cleanup();
  await rm(schemas, { recursive: true, force: true });
});

const wish = (properties: Record<string, unknown>) => cartViewed({ type: 'Wishlist Shared', properties });
const syncCheck = async (event: ReturnType<typeof wish>, on: CollectorProcess = collector) =>
  ((await (await post(on.url, await frame([event]), 'web-key-1', { 'x-shopstream-validate': 'sync' })).json()) as { validation: { events: { status: string; reason?: string }[] } }).validation.events[0]!;

it('applies a changed custom schema without a restart and keeps the old set when a file is broken', async () => {
  const first = wish({});
  expect(await syncCheck(first)).toMatchObject({ status: 'accepted' });
  // /readyz is green before delivery has started (fast start): once the first event lands, the
  // delivery worker has its schemas and watches the folder.
  await waitInLake(collector.lakeDir, 'clean', [first.id], 'the first event (delivery started)');

  await writeFile(join(schemas, 'wishlist-shared@1.0.0.json'), wishlist(['wishlist_id']));
  await waitFor(async () => (await syncCheck(wish({}))).status === 'rejected', 10_000, 'the changed schema to apply');
  const refused = wish({});
  expect((await post(collector.url, await frame([refused]), 'web-key-1')).status).toBe(200);
  await waitInLake(collector.lakeDir, 'failed', [refused.id], 'the event refused by the reloaded schema');
  expect((await failedById(collector.lakeDir)).get(refused.id)).toMatchObject({ code: 'COLLECTOR_SCHEMA_INVALID', message: expect.stringContaining("must have required property 'wishlist_id'") });

  await writeFile(join(schemas, 'broken.json'), '{ nope');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(collector.output()).toMatch(/schema reload failed, the previous schemas stay/);
  const fine = wish({ wishlist_id: 'w1' });
  expect(await syncCheck(fine)).toMatchObject({ status: 'accepted' });
  await waitInLake(collector.lakeDir, 'clean', [fine.id], 'a valid event after the broken reload');
});

it('reloads on SIGHUP when the folder is not watched', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'custom-schemas-'));
  await writeFile(join(dir, 'wishlist-shared@1.0.0.json'), wishlist([]));
  const unwatched = await startCollectorProcess({ config: { sources: [{ id: 'web', writeKey: 'web-key-1' }], ingest: { pii: PII_CONFIG, schemas: { customDir: dir, watch: false } } } });
  try {
    await writeFile(join(dir, 'wishlist-shared@1.0.0.json'), wishlist(['wishlist_id']));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await syncCheck(wish({}), unwatched)).toMatchObject({ status: 'accepted' }); // not watched: still the old schema
    unwatched.child.kill('SIGHUP');
    await waitFor(() => /SIGHUP, \d+ schemas loaded/.test(unwatched.output()), 5000, 'the SIGHUP reload');
    expect(await syncCheck(wish({}), unwatched)).toMatchObject({ status: 'rejected', reason: expect.stringContaining("must have required property 'wishlist_id'") });
  } finally {
    await unwatched.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
});
