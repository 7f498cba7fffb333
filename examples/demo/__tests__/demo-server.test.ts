import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer } from '../demo-server.mjs';

const dir = mkdtempSync(join(tmpdir(), 'shopstream-demo-server-'));
let server: Awaited<ReturnType<typeof startDemoServer>>;

/** Raw request, so a `..` path reaches the server unnormalised (fetch would resolve it). */
function get(path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>shop</title>');
  writeFileSync(join(dir, 'secret.txt'), 'not for the web');
  server = await startDemoServer({ staticDir: join(dir, 'dist'), lakeDir: join(dir, 'lake'), endpoint: 'http://127.0.0.1:8787', writeKey: 'dev-key', port: 0 });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('demo server', () => {
  it('serves the storefront, its config and the (empty) lake tail on loopback', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const index = await get('/');
    expect(index).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(index.body).toContain('<title>shop</title>');
    expect(JSON.parse((await get('/demo/config.json')).body)).toEqual({ endpoint: 'http://127.0.0.1:8787', writeKey: 'dev-key' });
    expect(JSON.parse((await get('/demo/events')).body)).toEqual({ events: [], totalLanded: 0, lakeDir: join(dir, 'lake') });
  });

  it('refuses paths outside the storefront, unknown files and writes, and still serves after', async () => {
    // `..` and `%2e%2e` are resolved by URL parsing before any file lookup: inside the root, not found.
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt']) {
      const answer = await get(path);
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).not.toContain('not for the web');
    }
    // An encoded slash survives URL parsing and is decoded afterwards: caught by the root check.
    const escape = await get('/..%2fsecret.txt');
    expect(escape.status).toBe(403);
    expect(JSON.parse(escape.body)).toEqual({ code: 'DEMO_PATH', message: 'That path is outside the storefront.' });
    const missing = await get('/nope.js');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).code).toBe('DEMO_NOT_FOUND');
    expect(JSON.parse(missing.body).message).toContain('did the storefront build run');
    const post = await get('/', 'POST');
    expect(post.status).toBe(405);
    expect(JSON.parse(post.body)).toEqual({ code: 'DEMO_METHOD', message: 'Only GET is served here.' });
    expect((await get('/')).status).toBe(200);
  });
});
