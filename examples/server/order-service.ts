/**
 * A backend order service that reports orders server-side through the Node SDK, as a signed
 * source (HMAC with the source's secret, so nobody holding only the write key can forge orders).
 *
 *   npx tsx examples/server/order-service.ts          # HTTP on 127.0.0.1:8090
 *   npx tsx examples/server/order-service.ts --demo   # place two orders, refund one, flush, exit
 *
 *   POST /orders              {"userId":"u1","email":"a@b.c","lines":[{"product_id":"p-sencha","name":"Morning Sencha","price":12.5,"quantity":2}]}
 *   POST /orders/<id>/refund
 *
 * Env: SHOPSTREAM_ENDPOINT, SHOPSTREAM_WRITE_KEY, SHOPSTREAM_SECRET, SHOPSTREAM_QUEUE_DIR,
 * ORDER_SERVICE_HOST, ORDER_SERVICE_PORT. Defaults match examples/server/collector.config.yaml.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@shopstream/sdk/node';
import { createOrderBook, OrderError, type OrderEvents } from './orders.js';

/** Request bodies past this are refused with 413: an order is a few KB. */
export const ORDER_BODY_BYTES_MAX = 256 * 1024;

const env = process.env;
const settings = {
  endpoint: env.SHOPSTREAM_ENDPOINT ?? 'http://127.0.0.1:8787/v1/batch', // the Node SDK takes the batch URL
  writeKey: env.SHOPSTREAM_WRITE_KEY ?? 'orders-key',
  secret: env.SHOPSTREAM_SECRET ?? 'change-me-orders-secret',
  queueDir: env.SHOPSTREAM_QUEUE_DIR ?? './data/order-service-queue',
  host: env.ORDER_SERVICE_HOST ?? '127.0.0.1',
  port: Number(env.ORDER_SERVICE_PORT ?? 8090),
};

const client = createClient({ endpoint: settings.endpoint, writeKey: settings.writeKey, secret: settings.secret, queueDir: settings.queueDir });
const events: OrderEvents = { track: (type, properties, options) => client.track(type, properties, options) };
const orders = createOrderBook(events, () => `ORD-${randomUUID().slice(0, 8).toUpperCase()}`);

if (process.argv.includes('--demo')) {
  const first = orders.place({ userId: 'user-42', email: 'ada@example.com', lines: [{ product_id: 'p-sencha', sku: 'LK-GRN-001', name: 'Morning Sencha', price: 12.5, quantity: 2 }], shipping: 4.9 });
  const second = orders.place({ userId: 'user-7', lines: [{ product_id: 'p-kettle', sku: 'LK-ACC-001', name: 'Gooseneck Kettle', price: 49, quantity: 1 }] });
  orders.refund(second.orderId);
  await client.close(); // flushes: returns once the collector acknowledged (or the queue holds) them
  console.log(JSON.stringify({ placed: [first.orderId, second.orderId], refunded: [second.orderId] }));
} else {
  const server = createServer((req, res) => void handle(req, res));
  server.listen(settings.port, settings.host, () => {
    const { port } = server.address() as AddressInfo;
    console.log(`order service on http://${settings.host}:${port} → ${settings.endpoint} (key ${settings.writeKey}, signed)`);
  });
  const stop = () => {
    server.close();
    void client.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const reply = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  try {
    const refund = req.url?.match(/^\/orders\/([\w-]{1,64})\/refund$/);
    if (req.method === 'POST' && req.url === '/orders') return reply(201, orders.place(await readJson(req)));
    if (req.method === 'POST' && refund) return reply(200, orders.refund(refund[1]!));
    reply(404, { code: 'ORDER_ROUTE', message: 'Use POST /orders or POST /orders/<id>/refund.' });
  } catch (error) {
    if (error instanceof OrderError) return reply(error.code === 'ORDER_NOT_FOUND' ? 404 : error.code === 'ORDER_ALREADY_REFUNDED' ? 409 : 400, { code: error.code, message: error.message });
    if (error instanceof BodyError) return reply(error.status, { code: error.code, message: error.message });
    throw error;
  }
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > ORDER_BODY_BYTES_MAX) throw new BodyError(413, 'ORDER_BODY_TOO_LARGE', `Order bodies are at most ${ORDER_BODY_BYTES_MAX} bytes.`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BodyError(400, 'ORDER_BODY_JSON', 'The body must be JSON.');
  }
}
