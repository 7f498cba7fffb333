import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUndiciTransport } from '../undici.js';

let server: Server;
let base: string;
const seen: Array<{ path: string; headers: Record<string, unknown>; bytes: number }> = [];
let answer: (res: import('node:http').ServerResponse) => void = (res) => res.writeHead(200).end('{"ok":true}');

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url!, headers: req.headers, bytes: Buffer.concat(chunks).length });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('undici transport', () => {
  it('POSTs the body with the given headers over a kept-alive connection', async () => {
    const transport = createUndiciTransport({ endpoint: `${base}/v1/batch?x=1` });
    const body = new Uint8Array(1000).fill(7);
    expect(await transport.send(body, { 'content-type': 'application/vnd.shopstream.frame', authorization: 'Bearer wk' }, 2000)).toEqual({ status: 'success' });
    expect(await transport.send(body, {}, 2000)).toEqual({ status: 'success' });
    expect(seen.at(-2)).toMatchObject({ path: '/v1/batch?x=1', bytes: 1000, headers: { authorization: 'Bearer wk', 'content-type': 'application/vnd.shopstream.frame' } });
    expect(seen.at(-1)!.headers['connection']).not.toBe('close');
    await transport.close();
  });

  it('maps 429 + Retry-After to retryable with the wait, and 400 to a final failure with the answer', async () => {
    const transport = createUndiciTransport({ endpoint: `${base}/v1/batch` });
    answer = (res) => res.writeHead(429, { 'retry-after': '3' }).end('{"code":"COLLECTOR_RATE_LIMITED"}');
    const limited = await transport.send(new Uint8Array(10), {}, 2000);
    expect(limited).toMatchObject({ status: 'retryable', retryAfterMs: 3000 });
    answer = (res) => res.writeHead(400).end('{"code":"COLLECTOR_FRAME_INVALID","message":"bad magic"}');
    const rejected = await transport.send(new Uint8Array(10), {}, 2000);
    expect(rejected.status).toBe('failure');
    expect(rejected.status === 'failure' && rejected.error.message).toBe('collector answered HTTP 400: {"code":"COLLECTOR_FRAME_INVALID","message":"bad magic"}');
    answer = (res) => res.writeHead(503).end();
    expect((await transport.send(new Uint8Array(10), {}, 2000)).status).toBe('retryable');
    answer = (res) => res.writeHead(200).end('{"ok":true}');
    expect(await transport.send(new Uint8Array(10), {}, 2000)).toEqual({ status: 'success' });
    await transport.close();
  });

  it('turns a refused connection and a silent server into retryable SDK_NETWORK / SDK_TIMEOUT', async () => {
    const refused = createUndiciTransport({ endpoint: 'http://127.0.0.1:1/v1/batch' });
    const down = await refused.send(new Uint8Array(10), {}, 2000);
    expect(down).toMatchObject({ status: 'retryable', error: { code: 'SDK_NETWORK' } });
    await refused.close();

    const transport = createUndiciTransport({ endpoint: `${base}/v1/batch` });
    answer = () => undefined; // never answers
    const slow = await transport.send(new Uint8Array(10), {}, 300);
    expect(slow).toMatchObject({ status: 'retryable', error: { code: 'SDK_TIMEOUT' } });
    answer = (res) => res.writeHead(200).end();
    expect(await transport.send(new Uint8Array(10), {}, 2000)).toEqual({ status: 'success' });
    await transport.close();
  });
});
