// The server-side example end to end: a collector started from examples/server/collector.config.yaml
// (temp dirs, free port), the order service run with tsx as its README says, and the lake
// checked for its signed `Order Completed` / `Order Refunded` events.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadConfig, sinkTypes, startCollector } from '@shopstream/collector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const examplesDir = join(import.meta.dirname, '..');
const tsx = join(examplesDir, '..', 'node_modules', '.bin', 'tsx');
const LAND_TIMEOUT_MS = 15_000;

let dataDir: string;
let collector: Awaited<ReturnType<typeof startCollector>>;
let service: ChildProcess | undefined;

function lakeEvents(): any[] {
  const events: any[] = [];
  for (const zone of ['clean', 'raw']) {
    const zoneDir = join(dataDir, 'lake', zone);
    let files: string[] = [];
    try {
      files = readdirSync(zoneDir, { recursive: true }).map(String).filter((name) => name.endsWith('.ndjson.gz') && !name.split('/').at(-1)!.startsWith('.'));
    } catch {
      continue;
    }
    for (const file of files) for (const line of gunzipSync(readFileSync(join(zoneDir, file))).toString('utf8').split('\n')) if (line) events.push({ zone, ...JSON.parse(line) });
    if (events.length > 0) return events; // clean when it exists, else raw
  }
  return events;
}

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + LAND_TIMEOUT_MS;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function runService(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const child = spawn(tsx, [join(examplesDir, 'server', 'order-service.ts'), ...args], {
    env: { ...process.env, SHOPSTREAM_ENDPOINT: `${collector.url}/v1/batch`, SHOPSTREAM_QUEUE_DIR: join(dataDir, 'queue'), ORDER_SERVICE_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'shopstream-orders-'));
  const config = loadConfig({
    path: join(examplesDir, 'server', 'collector.config.yaml'),
    env: { PORT: '0', SHOPSTREAM_WAL_DIR: join(dataDir, 'wal'), SHOPSTREAM_LAKE_DIR: join(dataDir, 'lake'), SHOPSTREAM_LOG_LEVEL: 'warn' },
    sinkTypes,
  });
  collector = await startCollector(config);
});

afterAll(async () => {
  if (service && service.exitCode === null) service.kill('SIGKILL');
  await collector?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('order service example', { timeout: 30_000 }, () => {
  it('--demo sends two signed Order Completed and one Order Refunded that land under source "orders"', async () => {
    const run = runService(['--demo'], {});
    expect(await run.exited, run.output()).toBe(0);
    const { placed, refunded } = JSON.parse(run.output().trim().split('\n').at(-1)!) as { placed: string[]; refunded: string[] };
    expect(placed).toHaveLength(2);

    const landed = await until('the demo orders in the lake', () => {
      const events = lakeEvents().filter((event) => [...placed, ...refunded].includes(event.properties?.order_id));
      return events.length >= 3 ? events : undefined;
    });
    const completed = landed.filter((event) => event.type === 'Order Completed');
    expect(completed.map((event) => event.properties.order_id).sort()).toEqual([...placed].sort());
    expect(completed.every((event) => event.source === 'orders')).toBe(true);
    const first = completed.find((event) => event.properties.order_id === placed[0])!;
    expect(first.userId).toBe('user-42');
    expect(first.properties).toMatchObject({ subtotal: 25, shipping: 4.9, total: 29.9, currency: 'EUR', products: [{ product_id: 'p-sencha', quantity: 2, price: 12.5 }] });
    const refund = landed.find((event) => event.type === 'Order Refunded')!;
    expect(refund).toMatchObject({ source: 'orders', userId: 'user-7', properties: { order_id: refunded[0], total: 49, currency: 'EUR' } });
  });

  it('HTTP mode: bad orders get 400/404/409 with a code and a sentence, and a good order right after still lands', async () => {
    const run = runService([], {});
    service = run.child;
    const url = await until('the service to listen', () => run.output().match(/order service on (http:\/\/127\.0\.0\.1:\d+)/)?.[1]);
    const post = (path: string, body?: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body) });

    const invalid = await post('/orders', { userId: 'u1', lines: [] });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({ code: 'ORDER_INVALID', message: 'An order needs a userId and at least one line.' });
    const notJson = await post('/orders', '{oops');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ code: 'ORDER_BODY_JSON', message: 'The body must be JSON.' });
    const unknown = await post('/orders/ORD-NOPE/refund');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ code: 'ORDER_NOT_FOUND', message: 'No order ORD-NOPE.' });

    const good = await post('/orders', { userId: 'u-http', lines: [{ product_id: 'p-assam', name: 'Assam Breakfast', price: 9.9, quantity: 3 }] });
    expect(good.status).toBe(201);
    const order = (await good.json()) as { orderId: string; total: number };
    expect(order.total).toBe(29.7);
    const refund = await post(`/orders/${order.orderId}/refund`);
    expect(refund.status).toBe(200);
    const again = await post(`/orders/${order.orderId}/refund`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe('ORDER_ALREADY_REFUNDED');

    // SIGTERM closes the SDK client, which flushes what is queued.
    service.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const landed = await until('the HTTP order in the lake', () => {
      const events = lakeEvents().filter((event) => event.properties?.order_id === order.orderId);
      return events.length >= 2 ? events : undefined;
    });
    expect(landed.map((event) => event.type).sort()).toEqual(['Order Completed', 'Order Refunded']);
    expect(landed.every((event) => event.source === 'orders' && event.userId === 'u-http')).toBe(true);
  });

  it('the signed source refuses a request without a valid signature, and still takes signed orders after', async () => {
    const forged = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: 'Bearer orders-key', 'content-type': 'application/json' },
      body: JSON.stringify({ batch: [{ messageId: '0192f0c4-0000-7000-8000-000000000001', type: 'track', event: 'Order Completed', timestamp: new Date().toISOString(), properties: { order_id: 'FORGED' } }] }),
    });
    expect(forged.status).toBe(401);
    const { error } = (await forged.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('COLLECTOR_AUTH_BAD_SIGNATURE');
    expect(error.message).toMatch(/signature/i);

    const run = runService(['--demo'], {});
    expect(await run.exited, run.output()).toBe(0);
    const { placed } = JSON.parse(run.output().trim().split('\n').at(-1)!) as { placed: string[] };
    await until('a signed order after the forged one', () => (lakeEvents().some((event) => event.properties?.order_id === placed[0]) ? true : undefined));
    expect(lakeEvents().some((event) => event.properties?.order_id === 'FORGED')).toBe(false);
  });
});
