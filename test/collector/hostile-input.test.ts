/**
 * Issue 18, finding by finding, against a real collector process: one hostile request must never
 * stop delivery or take good events with it. Each test asserts the HTTP answer (status, code),
 * where every event of the batch ended (clean, or failed with its code), and that a valid event
 * sent afterwards lands in clean — the proof that the sink's cursor moved past the hostile record.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleFrame, crc32c, encodeFrame, identityCodec, msgpackEncoding, uuidV7, type EventEnvelope } from '@shopstream/shared';
import { lz4Codec } from '@shopstream/shared/node';
import { readLake, startCollectorProcess, waitFor, type CollectorProcess } from '../support/collector-process.js';
import { startRedisServer } from '../support/redis-server.js';

const WRITE_KEY = 'dev-key';
const README = new URL('../../collector/README.md', import.meta.url);

let collector: CollectorProcess;

beforeAll(async () => {
  // Defaults but for a short linger: limits.bodyBytesMax 1 MiB, eventDepthMax 32, eventBytesMax 32 KB.
  collector = await startCollectorProcess({ config: { sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 20 } }] } });
});
afterAll(async () => {
  await collector?.cleanup();
});

type Item = Record<string, unknown>;

function probe(extra: Item = {}): Item {
  return { id: uuidV7(), type: 'Hostile Probe', kind: 'track', anonymousId: 'anon-h', timestamp: new Date().toISOString(), properties: { n: 1 }, ...extra };
}

const DEEP_PLACEHOLDER = 'DEEP-PLACEHOLDER';

/**
 * msgpack of `items` with the string DEEP_PLACEHOLDER replaced by `depth` nested arrays, written
 * byte by byte: msgpackr's own packer recurses and overflows the test's stack long before 10,000.
 */
function deepMsgpack(items: readonly Item[], depth: number): Uint8Array {
  const packed = Buffer.from(msgpackEncoding.encode(items as unknown as EventEnvelope[]));
  const marker = Buffer.concat([Buffer.from([0xa0 | DEEP_PLACEHOLDER.length]), Buffer.from(DEEP_PLACEHOLDER)]);
  const at = packed.indexOf(marker);
  if (at < 0) throw new Error('placeholder not found in the packed batch');
  const nested = Buffer.alloc(depth, 0x91); // fixarray(1), `depth - 1` times, then fixarray(0)
  nested[depth - 1] = 0x90;
  return Buffer.concat([packed.subarray(0, at), nested, packed.subarray(at + marker.length)]);
}

async function lz4Frame(payload: Uint8Array, eventCount: number): Promise<Uint8Array> {
  return assembleFrame(await lz4Codec.encode(payload), { codec: lz4Codec.id, encoding: msgpackEncoding.id, eventCount }, crc32c);
}

/** `[[[…]]]` `depth` levels deep, as JSON text. */
const nestedArraysJson = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

async function send(body: Uint8Array | string, headers: Record<string, string> = {}, path = '/v1/batch'): Promise<Response> {
  const isText = typeof body === 'string';
  return fetch(`${collector.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': isText ? 'application/json' : 'application/vnd.shopstream.frame', authorization: `Bearer ${WRITE_KEY}`, ...headers },
    body: isText ? body : new Uint8Array(body),
    signal: AbortSignal.timeout(15_000),
  });
}

/** 200 and the request id (the batch is in the WAL). */
async function acked(res: Response): Promise<string> {
  const body = (await res.json()) as { ok?: boolean; requestId?: string; error?: unknown };
  expect({ status: res.status, body }).toMatchObject({ status: 200, body: { ok: true } });
  return body.requestId!;
}

async function expectRefused(res: Response, status: number, code: string): Promise<{ code: string; message: string }> {
  const body = (await res.json()) as { error?: { code: string; message: string } };
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
  return body.error!;
}

type FailedRow = { reason: { code: string; stage: string; message: string }; requestId: string; item?: { id?: string; sample?: string; bytesAtLeast?: number; sha256?: string; truncated?: boolean } };

/** Waits for the audit record of `requestId` (written once its WAL record was processed), then says where its events went. */
async function outcomeOf(requestId: string): Promise<{ clean: Map<string, Item>; failed: FailedRow[]; audit: Item }> {
  let audit: Item | undefined;
  await waitFor(async () => {
    audit = (await readLake(collector.lakeDir, 'audit')).find((r) => r.value.requestId === requestId)?.value;
    return audit !== undefined;
  }, 20_000, `the audit record of ${requestId}`);
  // Zones of one WAL record may be written in separate files of one write: wait until every refusal is there too.
  let failed: FailedRow[] = [];
  await waitFor(async () => {
    failed = (await readLake(collector.lakeDir, 'failed')).map((r) => r.value as unknown as FailedRow).filter((r) => r.requestId === requestId);
    return failed.length >= Number(audit!.rejected ?? 0);
  }, 20_000, `the failed records of ${requestId}`);
  const clean = new Map<string, Item>();
  for (const { value } of await readLake(collector.lakeDir, 'clean')) if (value.requestId === requestId) clean.set(String(value.id), value);
  return { clean, failed, audit: audit! };
}

/** The collector still serves and a valid event sent now lands in clean: delivery went on. */
async function expectGoodEventLands(): Promise<void> {
  const event = probe();
  const requestId = await acked(await send(await encodeFrame([event as unknown as EventEnvelope], { codec: lz4Codec, encoding: msgpackEncoding })));
  const { clean } = await outcomeOf(requestId);
  expect([...clean.keys()]).toEqual([event.id]);
}

/** A clean row keeps `malformed` in `extra` when its table does not name it. */
const malformedOf = (row: Item) => (row.malformed ?? (row.extra as Item | undefined)?.malformed) as Record<string, string> | undefined;

describe('poison records no longer stop delivery', () => {
  it('`[`×100,000 `]`×100,000 as a JSON batch: 200, its one item failed COLLECTOR_LIMIT_EVENT_DEPTH with a bounded sample, delivery goes on', async () => {
    const requestId = await acked(await send(`[${nestedArraysJson(100_000)}]`));
    const { clean, failed, audit } = await outcomeOf(requestId);
    expect(clean.size).toBe(0);
    expect(audit).toMatchObject({ accepted: 0, rejected: 1 });
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reason).toMatchObject({ code: 'COLLECTOR_LIMIT_EVENT_DEPTH', stage: 'event-guard', message: expect.stringMatching(/deeper than 32 levels/) });
    expect(failed[0]!.item).toMatchObject({ truncated: true, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(failed[0]!.item!.sample!.length).toBeLessThanOrEqual(1025 + 1);
    await expectGoodEventLands();
  });

  it('the 34-byte frame whose msgpack payload is [uint64 1]: 200, the item (the number 1, not an event) failed COLLECTOR_NOT_AN_EVENT, delivery goes on', async () => {
    const payload = Uint8Array.from([0x91, 0xcf, 0, 0, 0, 0, 0, 0, 0, 1]); // fixarray(1) of uint64 1
    const frame = assembleFrame(payload, { codec: identityCodec.id, encoding: msgpackEncoding.id, eventCount: 1 }, crc32c);
    expect(frame.length).toBe(34);
    const requestId = await acked(await send(frame));
    const { clean, failed } = await outcomeOf(requestId);
    expect(clean.size).toBe(0);
    expect(failed.map((f) => f.reason.code)).toEqual(['COLLECTOR_NOT_AN_EVENT']);
    await expectGoodEventLands();
  });
});

describe('one bad event no longer fails its neighbours', () => {
  it('an event holding uint64 2^63 among good ones: it alone fails COLLECTOR_EVENT_VALUE_INVALID, its neighbours land', async () => {
    const good = [probe(), probe()];
    const bad = probe({ properties: { big: 2n ** 63n } });
    const frame = await encodeFrame([good[0], bad, good[1]] as unknown as EventEnvelope[], { codec: lz4Codec, encoding: msgpackEncoding });
    // msgpack's uint64 (0xcf) with the top bit set, as any msgpack writer sends 2^63.
    expect(Buffer.from(msgpackEncoding.encode([bad as unknown as EventEnvelope])).includes(Buffer.from([0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0]))).toBe(true);
    const requestId = await acked(await send(frame));
    const { clean, failed } = await outcomeOf(requestId);
    expect([...clean.keys()].sort()).toEqual(good.map((e) => e.id).sort());
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ item: { id: bad.id }, reason: { code: 'COLLECTOR_EVENT_VALUE_INVALID', stage: 'event-guard', message: expect.stringMatching(/properties\.big .*9223372036854775808.*2\^53/) } });
    await expectGoodEventLands();
  });

  it('properties nested 10,000 deep among good ones: it alone fails COLLECTOR_LIMIT_EVENT_DEPTH, its neighbours land', async () => {
    const good = [probe(), probe()];
    const deep = probe({ properties: { deep: DEEP_PLACEHOLDER } });
    const frame = await lz4Frame(deepMsgpack([good[0]!, deep, good[1]!], 10_000), 3);
    const requestId = await acked(await send(frame));
    const { clean, failed } = await outcomeOf(requestId);
    expect([...clean.keys()].sort()).toEqual(good.map((e) => e.id).sort());
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ item: { id: deep.id, truncated: true }, reason: { code: 'COLLECTOR_LIMIT_EVENT_DEPTH', stage: 'event-guard' } });
    await expectGoodEventLands();
  });

  it('an event nested 100,000 deep in a msgpack frame, too deep for the decoder itself: it alone fails COLLECTOR_LIMIT_EVENT_DEPTH, its neighbours land (sync preview alike)', async () => {
    const good = [probe(), probe()];
    const deep = probe({ properties: { deep: DEEP_PLACEHOLDER } });
    const frame = await lz4Frame(deepMsgpack([good[0]!, deep, good[1]!], 100_000), 3);
    const res = await send(frame, { 'x-shopstream-validate': 'sync' });
    const answer = (await res.clone().json()) as { validation: { accepted: number; rejected: number; events: { id?: string; status: string; code?: string }[] } };
    const requestId = await acked(res);
    expect(answer.validation).toMatchObject({ accepted: 2, rejected: 1 });
    expect(answer.validation.events.filter((e) => e.status === 'rejected')).toEqual([expect.objectContaining({ code: 'COLLECTOR_LIMIT_EVENT_DEPTH' })]);
    const { clean, failed } = await outcomeOf(requestId);
    expect([...clean.keys()].sort()).toEqual(good.map((e) => e.id).sort());
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ item: { id: deep.id, bytesAtLeast: expect.any(Number), truncated: true }, reason: { code: 'COLLECTOR_LIMIT_EVENT_DEPTH', stage: 'decode', message: expect.stringMatching(/100002 levels deep, deeper than 32 levels \(found before decoding\)/) } });
    await expectGoodEventLands();
  });

  it('a 33 KB lz4 frame opening to an event holding 8 million zeros among good ones: refused from its bytes before decoding (COLLECTOR_LIMIT_EVENT_BYTES), its neighbours land', async () => {
    const good = [probe(), probe()];
    const bomb = probe({ properties: { zeros: new Array(8 * 1024 * 1024 - 1024).fill(0) } });
    const frame = await encodeFrame([good[0], bomb, good[1]] as unknown as EventEnvelope[], { codec: lz4Codec, encoding: msgpackEncoding });
    expect(frame.length).toBeLessThan(40 * 1024);
    const requestId = await acked(await send(frame));
    const { clean, failed } = await outcomeOf(requestId);
    expect([...clean.keys()].sort()).toEqual(good.map((e) => e.id).sort());
    expect(failed).toHaveLength(1);
    // Stage `decode`: the scan of the msgpack bytes refused it; no 8-million-element array was built.
    expect(failed[0]).toMatchObject({ item: { id: bomb.id, truncated: true }, reason: { code: 'COLLECTOR_LIMIT_EVENT_BYTES', stage: 'decode', message: expect.stringMatching(/found before decoding/) } });
    await expectGoodEventLands();
  });

  it('a Segment batch with one timestamp +275760-09-13T00:00:00.000Z: all land in clean; that one gets timestamp = receivedAt and malformed.timestamp as received (the documented rule)', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const now = new Date().toISOString();
    const items = ids.map((messageId, i) => ({ type: 'track', event: 'Hostile Segment Probe', messageId, timestamp: i === 1 ? '+275760-09-13T00:00:00.000Z' : now, properties: { i } }));
    const requestId = await acked(await send(JSON.stringify({ batch: items, sentAt: now })));
    const { clean, failed } = await outcomeOf(requestId);
    expect(failed).toEqual([]);
    expect([...clean.keys()].sort()).toEqual([...ids].sort());
    const odd = clean.get(ids[1]!)!;
    expect(odd.timestamp).toBe(odd.receivedAt);
    expect(malformedOf(odd)).toEqual({ timestamp: '"+275760-09-13T00:00:00.000Z"' });
    for (const i of [0, 2]) expect(malformedOf(clean.get(ids[i]!)!)).toBeUndefined();
    const readme = await readFile(README, 'utf8');
    expect(readme).toMatch(/malformed\.timestamp/);
    await expectGoodEventLands();
  });
});

describe('client mistakes are 4xx, never 5xx', () => {
  it('10,000-deep arrays with X-Shopstream-Validate: sync: 200 with a per-event validation answer', async () => {
    const good = probe();
    const deepId = uuidV7();
    const body = `[${JSON.stringify(good)},{"id":"${deepId}","type":"Hostile Probe","properties":{"deep":${nestedArraysJson(10_000)}}}]`;
    const res = await send(body, { 'x-shopstream-validate': 'sync' });
    const answer = (await res.clone().json()) as { validation: { accepted: number; rejected: number; events: { id?: string; status: string; code?: string }[] } };
    const requestId = await acked(res);
    expect(answer.validation).toMatchObject({ accepted: 1, rejected: 1 });
    expect(answer.validation.events).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: good.id, status: 'accepted' }),
      expect.objectContaining({ id: deepId, status: 'rejected', code: 'COLLECTOR_LIMIT_EVENT_DEPTH' }),
    ]));
    const { clean, failed } = await outcomeOf(requestId);
    expect([...clean.keys()]).toEqual([good.id]);
    expect(failed.map((f) => [f.item?.id, f.reason.code])).toEqual([[deepId, 'COLLECTOR_LIMIT_EVENT_DEPTH']]);
    await expectGoodEventLands();
  });

  it('/v1/track with a 10,000-deep body: 400 COLLECTOR_LIMIT_EVENT_DEPTH', async () => {
    const body = `{"event":"Hostile Probe","messageId":"${randomUUID()}","properties":{"deep":${nestedArraysJson(10_000)}}}`;
    const error = await expectRefused(await send(body, {}, '/v1/track'), 400, 'COLLECTOR_LIMIT_EVENT_DEPTH');
    expect(error.message).toMatch(/deeper than 32 levels/);
    await expectGoodEventLands();
  });

  it('corrupt gzip: 400 COLLECTOR_BAD_GZIP', async () => {
    const gz = gzipSync(JSON.stringify([probe()]));
    gz[gz.length - 12]! ^= 0xff; // inside the deflate stream
    const res = await fetch(`${collector.url}/v1/batch`, { method: 'POST', body: gz, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${WRITE_KEY}` } });
    await expectRefused(res, 400, 'COLLECTOR_BAD_GZIP');
    await expectGoodEventLands();
  });
});

describe('every answer reaches the client', () => {
  const tooLargeBody = /1048576-byte limit/;

  it('fetch() with a 10 MiB body and Content-Length gets the 413 JSON answer, not EPIPE/ECONNRESET', async () => {
    const body = Buffer.alloc(10 * 1024 * 1024, 0x20);
    // Whether the client saw the reset before the answer was a race (most tries lost it): try a few times.
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${collector.url}/v1/batch`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}` }, signal: AbortSignal.timeout(15_000) });
      expect((await expectRefused(res, 413, 'COLLECTOR_LIMIT_BODY_BYTES')).message).toMatch(tooLargeBody);
    }
    await expectGoodEventLands();
  });

  it('fetch() with a 2 MiB chunked body gets the 413 JSON answer', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST', body: stream, duplex: 'half', headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}` }, signal: AbortSignal.timeout(15_000),
    } as RequestInit);
    expect(res.headers.get('content-length')).not.toBeNull();
    expect((await expectRefused(res, 413, 'COLLECTOR_LIMIT_BODY_BYTES')).message).toMatch(tooLargeBody);
    await expectGoodEventLands();
  });

  /** Writes `request` on a raw socket and reads the answer until the server closes. */
  function rawRequest(request: string): Promise<{ head: string; body: unknown }> {
    return new Promise((resolve, reject) => {
      const socket = connect(collector.port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('latin1')));
      socket.on('end', () => {
        const [head, body] = text.split('\r\n\r\n');
        resolve({ head: head!, body: JSON.parse(body!) as unknown });
      });
      socket.on('error', reject);
      socket.setTimeout(5_000, () => reject(new Error(`no answer; got so far: ${text}`)));
      socket.write(request);
    });
  }

  it('a malformed request line over a raw socket gets a JSON error body', async () => {
    const { head, body } = await rawRequest('GET /v1/batch HTTP/1.1 extra\r\nHost: x\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/content-type: application\/json/i);
    expect(body).toMatchObject({ error: { code: 'COLLECTOR_MALFORMED_REQUEST', message: expect.stringMatching(/not valid HTTP/) } });
    await expectGoodEventLands();
  });

  it('headers past node\'s 16 KB limit get 431 with a JSON error body', async () => {
    const { head, body } = await rawRequest(`POST /v1/batch HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(20_000)}\r\n\r\n`);
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(body).toMatchObject({ error: { code: 'COLLECTOR_HEADERS_TOO_LARGE' } });
    await expectGoodEventLands();
  });
});

describe('no silent rewriting', () => {
  it('number and null timestamps: timestamp = receivedAt, the value as received in malformed.timestamp', async () => {
    const asNumber = probe({ timestamp: 1_733_400_000_000 });
    const asNull = probe({ timestamp: null });
    const fine = probe();
    const requestId = await acked(await send(JSON.stringify([asNumber, asNull, fine])));
    const { clean, failed } = await outcomeOf(requestId);
    expect(failed).toEqual([]);
    for (const [event, kept] of [[asNumber, '1733400000000'], [asNull, 'null']] as const) {
      const row = clean.get(event.id as string)!;
      expect(row.timestamp).toBe(row.receivedAt);
      expect(malformedOf(row)).toEqual({ timestamp: kept });
    }
    const fineRow = clean.get(fine.id as string)!;
    expect(fineRow.timestamp).toBe(fine.timestamp);
    expect(malformedOf(fineRow)).toBeUndefined();
    await expectGoodEventLands();
  });

  it('a `__proto__` key reads back alike from JSON and from msgpack (renamed `__proto_`)', async () => {
    const props = '{"__proto__":{"polluted":true},"plain":1}';
    const viaJson = probe();
    const viaMsgpack = probe();
    const jsonBody = JSON.stringify([viaJson]).replace('"properties":{"n":1}', `"properties":${props}`);
    const fromJson = await acked(await send(jsonBody));
    // JSON.parse makes `__proto__` an own key, so msgpack writes it as a key too.
    const msgpackEvent = { ...viaMsgpack, properties: JSON.parse(props) as object };
    expect(Object.keys(msgpackEvent.properties)).toEqual(['__proto__', 'plain']);
    const fromMsgpack = await acked(await send(await encodeFrame([msgpackEvent as unknown as EventEnvelope], { codec: lz4Codec, encoding: msgpackEncoding })));
    const rows = [(await outcomeOf(fromJson)).clean.get(viaJson.id as string)!, (await outcomeOf(fromMsgpack)).clean.get(viaMsgpack.id as string)!];
    const shape = (row: Item) => ({ properties: row.properties, extra: row.extra });
    expect(shape(rows[0]!)).toEqual(shape(rows[1]!));
    expect(JSON.stringify(shape(rows[0]!))).toContain('"__proto_":{"polluted":true}');
    expect(JSON.stringify(shape(rows[0]!))).not.toContain('__proto__');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('a decoded-bytes budget on the HTTP thread', () => {
  it('gzip bodies decoded at once past limits.decodedBytesInFlightMax: 503 COLLECTOR_OVERLOADED + Retry-After, nothing half-taken; resent, all land', async () => {
    // Each gzip body reserves limits.decodedBytesMax (2 MiB) while it inflates; the budget holds two.
    const tight = await startCollectorProcess({
      config: { limits: { decodedBytesMax: 2 * 1024 * 1024, decodedBytesInFlightMax: 4 * 1024 * 1024 }, ingest: { jsonBodyBytesMax: 2 * 1024 * 1024 }, sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 20 } }] },
    });
    try {
      const batches = Array.from({ length: 10 }, () => [probe({ properties: { pad: 'z'.repeat(1536 * 1024) } })]);
      const bodies = batches.map((batch) => gzipSync(JSON.stringify(batch)));
      const post = (body: Buffer) => fetch(`${tight.url}/v1/batch`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${WRITE_KEY}` } });
      const answers = await Promise.all(bodies.map(post));
      const overloaded = answers.flatMap((res, i) => (res.status === 503 ? [i] : []));
      expect(answers.map((res) => res.status).filter((status) => status !== 200 && status !== 503)).toEqual([]);
      expect(overloaded.length).toBeGreaterThan(0);
      const first = answers[overloaded[0]!]!;
      expect(first.headers.get('retry-after')).toBe('1');
      expect((await expectRefused(first, 503, 'COLLECTOR_OVERLOADED')).message).toMatch(/limits\.decodedBytesInFlightMax/);
      for (const res of answers) if (!res.bodyUsed) await res.arrayBuffer();
      for (const i of overloaded) {
        const again = await post(bodies[i]!);
        expect(again.status).toBe(200);
        await again.arrayBuffer();
      }
      // The events of the 503s were not taken the first time: each lands once.
      const ids = batches.map((batch) => batch[0]!.id as string);
      await waitFor(async () => (await readLake(tight.lakeDir, 'failed')).filter((r) => ids.includes((r.value.item as { id?: string } | undefined)?.id ?? '')).length === ids.length, 20_000, 'every event (over 32 KB: failed zone)');
      const failedIds = (await readLake(tight.lakeDir, 'failed')).map((r) => (r.value.item as { id?: string } | undefined)?.id);
      for (const id of ids) expect(failedIds.filter((f) => f === id)).toHaveLength(1);
    } finally {
      await tight.cleanup();
    }
  });
});

describe('bounded telemetry', () => {
  it('unknown routes do not create request metric label series', async () => {
    const paths = Array.from({ length: 5 }, () => `/v1/zzz-${randomUUID()}`);
    for (const path of paths) {
      const res = await fetch(`${collector.url}${path}`, { method: 'POST', body: '[]', headers: { authorization: `Bearer ${WRITE_KEY}` } });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      await res.arrayBuffer();
    }
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).not.toContain('zzz-');
    expect(metrics).toMatch(/shopstream_request_received_total\{route="other",status="4\d\d"\} [1-9]/);
  });
});

type SinkState = { sink: string; lagAgeMs: number; lagRecords: number; writeErrors: number; loopErrors: number; blockedAtLsn?: number; lastError?: { message: string } };
const sinkState = async (url: string) => ((await (await fetch(`${url}/v1/status`)).json()) as { sinks: SinkState[] }).sinks.find((s) => s.sink === 'lake')!;
const readyzStatus = async (url: string) => (await fetch(`${url}/readyz`)).status;
/** Short lagAgeMaxMs and quick retries, so a stall shows (and ends) within seconds. */
const STALL_DELIVERY = { lagAgeMaxMs: 1_000, backoffBaseMs: 20, backoffMaxMs: 200, breakerOpenMs: 200, retriesMax: 1000 };

async function postOne(url: string, event: Item): Promise<void> {
  const res = await fetch(`${url}/v1/batch`, { method: 'POST', body: JSON.stringify([event]), headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}` } });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

describe('a sink stall is visible and drains', () => {
  it('a retryable stage failing (Redis dedupe down, failMode closed): lagAgeMs grows, loopErrors count, blockedAtLsn names the record, /readyz red; Redis back, it drains', async () => {
    let redis = await startRedisServer();
    const stalled = await startCollectorProcess({
      config: {
        delivery: STALL_DELIVERY,
        ingest: { dedupe: { store: 'redis', redisUrl: redis.url, failMode: 'closed', commandTimeoutMs: 300 } },
        sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 20 } }],
      },
    });
    try {
      const before = probe();
      await postOne(stalled.url, before);
      await waitFor(async () => (await readLake(stalled.lakeDir, 'clean')).some((r) => r.value.id === before.id), 15_000, 'an event while Redis is up');
      const port = redis.port;
      await redis.kill();
      const held = probe();
      await postOne(stalled.url, held); // the WAL still acknowledges
      await waitFor(async () => (await sinkState(stalled.url)).loopErrors >= 2, 10_000, 'loop errors while Redis is down');
      const first = await sinkState(stalled.url);
      expect(first.blockedAtLsn).toEqual(expect.any(Number));
      expect(first.lagAgeMs).toBeGreaterThan(0);
      await waitFor(async () => (await readyzStatus(stalled.url)) === 503, 10_000, '/readyz red after lagAgeMaxMs');
      await waitFor(async () => (await sinkState(stalled.url)).loopErrors > first.loopErrors, 10_000, 'more loop errors');
      const later = await sinkState(stalled.url);
      expect(later.lagAgeMs).toBeGreaterThan(Math.max(1_000, first.lagAgeMs));
      expect(later.blockedAtLsn).toBe(first.blockedAtLsn);
      expect(await (await fetch(`${stalled.url}/metrics`)).text()).toMatch(/shopstream_sink_loop_errors\{sink="lake"\} [1-9]/);

      redis = await startRedisServer({ port });
      await waitFor(async () => (await readLake(stalled.lakeDir, 'clean')).some((r) => r.value.id === held.id), 15_000, 'the held event once Redis is back');
      await waitFor(async () => (await readyzStatus(stalled.url)) === 200, 10_000, '/readyz green after draining');
      const drained = await sinkState(stalled.url);
      expect(drained).toMatchObject({ lagRecords: 0, lagAgeMs: 0 });
      expect(drained.blockedAtLsn).toBeUndefined();
    } finally {
      await stalled.cleanup();
      await redis.kill();
    }
  });

  it('lake writes failing (a file where <lake>/_tmp should be): lagAgeMs grows, write errors count, /readyz red after lagAgeMaxMs; restored, it drains', async () => {
    const stalled = await startCollectorProcess({
      config: {
        delivery: STALL_DELIVERY,
        sinks: [{ type: 'lake', name: 'lake', limits: { lingerMs: 20 } }],
      },
    });
    try {
      const tmp = join(stalled.lakeDir, '_tmp');
      await rm(tmp, { recursive: true, force: true });
      await mkdir(stalled.lakeDir, { recursive: true });
      await writeFile(tmp, 'not a directory');
      const event = probe();
      await postOne(stalled.url, event);
      const lake = () => sinkState(stalled.url);
      await waitFor(async () => (await lake()).writeErrors >= 2, 10_000, 'write errors while _tmp is a file');
      const first = await lake();
      await waitFor(async () => (await readyzStatus(stalled.url)) === 503, 10_000, '/readyz red after lagAgeMaxMs');
      // Retries go on (the delivery thread is niced: on a busy machine they may come slowly).
      await waitFor(async () => (await lake()).writeErrors > first.writeErrors, 10_000, 'more write errors');
      const later = await lake();
      expect(later.lagAgeMs).toBeGreaterThan(1_000);
      expect(later.lagAgeMs).toBeGreaterThan(first.lagAgeMs);
      expect(later.lastError?.message).toMatch(/EEXIST|ENOTDIR|_tmp/);
      const readyz = (await (await fetch(`${stalled.url}/readyz`)).json()) as { ready: boolean; reasons: string[] };
      expect(readyz).toMatchObject({ ready: false, reasons: [expect.stringMatching(/sink lake lags \d+ ms \(limit 1000 ms\)/)] });

      await rm(tmp, { force: true });
      await waitFor(async () => (await readLake(stalled.lakeDir, 'clean')).some((r) => r.value.id === event.id), 15_000, 'the event once the lake is writable again');
      await waitFor(async () => (await readyzStatus(stalled.url)) === 200, 10_000, '/readyz green after draining');
      expect(await lake()).toMatchObject({ lagRecords: 0, lagAgeMs: 0 });
    } finally {
      await stalled.cleanup();
    }
  });
});
