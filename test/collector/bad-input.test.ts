/**
 * A real collector process against bad input: every refusal has the right status, a code and a
 * message that says what is wrong; the collector keeps serving and a good batch right after lands.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLake, startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';
import { frameOf, makeEvents, postFrame, WRITE_KEY } from './helpers/batch-sender.js';

let collector: CollectorProcess;

beforeAll(async () => {
  collector = await startCollectorProcess({
    config: { limits: { bodyBytesMax: 64 * 1024 }, sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 20 } }] },
  });
});
afterAll(async () => {
  await collector?.cleanup();
});

async function expectRefused(res: Response, status: number, code: string, message: RegExp): Promise<void> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(res.status).toBe(status);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(message);
}

/** The collector still serves and a good batch posted now lands in the clean zone. */
async function expectGoodBatchLands(): Promise<void> {
  expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  const events = makeEvents(3);
  const res = await postFrame(collector.url, await frameOf(events));
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ ok: true });
  const ids = new Set(events.map((e) => e.id));
  await waitFor(async () => (await readLake(collector.lakeDir, 'clean')).filter((r) => ids.has(r.value.id as string)).length === 3, 15_000, 'good batch in the lake');
}

describe('bad frames', () => {
  it('refuses a truncated frame with 400 SHARED_FRAME_LENGTH_MISMATCH', async () => {
    const frame = await frameOf(makeEvents(5));
    await expectRefused(await postFrame(collector.url, frame.subarray(0, frame.length - 10)), 400, 'SHARED_FRAME_LENGTH_MISMATCH', /truncated/);
    await expectGoodBatchLands();
  });

  it('refuses a frame shorter than its header with 400 SHARED_FRAME_TRUNCATED', async () => {
    const frame = await frameOf(makeEvents(1));
    await expectRefused(await postFrame(collector.url, frame.subarray(0, 10)), 400, 'SHARED_FRAME_TRUNCATED', /shorter than its 24-byte header/);
    await expectGoodBatchLands();
  });

  it('refuses a corrupted frame with 400 SHARED_FRAME_CRC_MISMATCH', async () => {
    const frame = Buffer.from(await frameOf(makeEvents(5)));
    frame[frame.length - 3]! ^= 0xff;
    await expectRefused(await postFrame(collector.url, frame), 400, 'SHARED_FRAME_CRC_MISMATCH', /damaged in transit/);
    await expectGoodBatchLands();
  });

  it('refuses a frame with the wrong magic with 400 SHARED_FRAME_BAD_MAGIC', async () => {
    const frame = Buffer.from(await frameOf(makeEvents(2)));
    frame.write('XXXX', 0, 'latin1');
    await expectRefused(await postFrame(collector.url, frame), 400, 'SHARED_FRAME_BAD_MAGIC', /magic bytes "SSB1"/);
    await expectGoodBatchLands();
  });

  it('refuses a frame of an unknown version with 400 SHARED_FRAME_BAD_VERSION', async () => {
    const frame = Buffer.from(await frameOf(makeEvents(2)));
    frame[4] = 9;
    await expectRefused(await postFrame(collector.url, frame), 400, 'SHARED_FRAME_BAD_VERSION', /version 9 is not supported/);
    await expectGoodBatchLands();
  });
});

describe('auth, size and type', () => {
  it('refuses a wrong write key with 401', async () => {
    await expectRefused(await postFrame(collector.url, await frameOf(makeEvents(1)), 'not-the-key'), 401, 'COLLECTOR_AUTH_UNKNOWN_KEY', /write key is not known/);
    const missing = await fetch(`${collector.url}/v1/batch`, { method: 'POST', body: '[]', headers: { 'content-type': 'application/json' } });
    await expectRefused(missing, 401, 'COLLECTOR_UNAUTHORIZED', /No write key was sent/);
    await expectGoodBatchLands();
  });

  it('refuses an oversized body with 413 naming the limit', async () => {
    const big = Buffer.alloc(200 * 1024, 0x61);
    const res = await fetch(`${collector.url}/v1/batch`, { method: 'POST', body: big, headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}` } });
    await expectRefused(res, 413, 'COLLECTOR_LIMIT_BODY_BYTES', /65536-byte limit/);
    await expectGoodBatchLands();
  });

  it('refuses invalid JSON, a non-batch and an unknown content type', async () => {
    const post = (body: string, type = 'application/json') => fetch(`${collector.url}/v1/batch`, { method: 'POST', body, headers: { 'content-type': type, 'x-shopstream-key': WRITE_KEY } });
    await expectRefused(await post('{"batch": [1,'), 400, 'COLLECTOR_BAD_JSON', /not valid JSON/);
    await expectRefused(await post('{"events": []}'), 400, 'COLLECTOR_NOT_A_BATCH', /array of events/);
    await expectRefused(await post('[1]', 'image/png'), 415, 'COLLECTOR_UNSUPPORTED_MEDIA_TYPE', /image\/png/);
    await expectGoodBatchLands();
  });
});

describe('accepted forms', () => {
  it('takes gzip JSON with Basic auth (Segment style) and a text/plain beacon frame with ?writeKey=', async () => {
    const segment = [{ type: 'track', event: 'Order Completed', messageId: 'seg-msg-1', properties: { total: 9 } }];
    const basic = Buffer.from(`${WRITE_KEY}:`).toString('base64');
    const json = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      body: gzipSync(JSON.stringify({ batch: segment })),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Basic ${basic}` },
    });
    expect(json.status).toBe(200);
    const beaconEvents = makeEvents(2, 'Checkout Started');
    const beacon = await fetch(`${collector.url}/v1/batch?writeKey=${WRITE_KEY}`, { method: 'POST', body: new Uint8Array(await frameOf(beaconEvents)), headers: { 'content-type': 'text/plain' } });
    expect(beacon.status).toBe(200);
    await waitFor(async () => {
      const clean = await readLake(collector.lakeDir, 'clean');
      const ids = new Set(clean.map((r) => r.value.id));
      return ids.has('seg-msg-1') && beaconEvents.every((e) => ids.has(e.id));
    }, 15_000, 'segment and beacon events in the lake');
    const segmentEvent = (await readLake(collector.lakeDir, 'clean')).find((r) => r.value.id === 'seg-msg-1')!;
    expect(segmentEvent.value).toMatchObject({ type: 'Order Completed', kind: 'track', source: 'dev' });
    expect(segmentEvent.file).toContain('/clean/source=dev/event_type=order_completed/');
  });

  it('answers CORS preflights and exposes health, status and metrics', async () => {
    const preflight = await fetch(`${collector.url}/v1/batch`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-shopstream-signature' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/x-shopstream-signature/);
    const status = (await (await fetch(`${collector.url}/v1/status`)).json()) as { ready: boolean; sinks: { sink: string; deliveredRecords: number }[] };
    expect(status.ready).toBe(true);
    expect(status.sinks[0]!.sink).toBe('lake');
    expect(status.sinks[0]!.deliveredRecords).toBeGreaterThan(0);
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toMatch(/shopstream_batch_accepted_total\{source="dev",kind="frame"\} \d+/);
    expect(metrics).toMatch(/shopstream_batch_rejected_total\{code="SHARED_FRAME_CRC_MISMATCH",status="400"\} 1/);
    expect(metrics).toMatch(/shopstream_sink_lag_records\{sink="lake"\} 0/);
  });
});
