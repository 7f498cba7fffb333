// The storefront's web server: static files from storefront/dist, `/demo/config.json` (where
// the page sends events) and `/demo/events` (the newest events in the lake, for the live panel).
// Loopback only by default: it is a demo, not a web server for the internet.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { createLakeTail } from './lake-tail.mjs';

const CONTENT_TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json', '.svg': 'image/svg+xml', '.json': 'application/json' };
/** Rows the live panel gets per poll. */
export const LIVE_ROWS_MAX = 30;

/**
 * @param {{ staticDir: string, lakeDir: string, endpoint: string, writeKey: string, host?: string, port?: number }} options
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function startDemoServer(options) {
  const tail = createLakeTail(options.lakeDir);
  const root = normalize(options.staticDir + sep);
  const json = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { code: 'DEMO_METHOD', message: 'Only GET is served here.' });
      if (url.pathname === '/demo/config.json') return json(res, 200, { endpoint: options.endpoint, writeKey: options.writeKey });
      if (url.pathname === '/demo/events') return json(res, 200, await tail(LIVE_ROWS_MAX));
      const path = normalize(join(root, url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname)));
      if (!path.startsWith(root)) return json(res, 403, { code: 'DEMO_PATH', message: 'That path is outside the storefront.' });
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) return json(res, 404, { code: 'DEMO_NOT_FOUND', message: `No file ${url.pathname}; did the storefront build run (npm run build -w @shopstream/examples)?` });
      res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream', 'content-length': info.size, 'cache-control': 'no-cache' });
      if (req.method === 'HEAD') return res.end();
      createReadStream(path).pipe(res);
    } catch (error) {
      json(res, 500, { code: 'DEMO_ERROR', message: String(error?.message ?? error) });
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, resolve);
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
