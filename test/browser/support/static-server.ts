/**
 * Serves the fixture shop on 127.0.0.1: `index.html` and `app.js`, an esbuild bundle of the
 * browser SDK built from source the way a shop's bundler would (ESM, browser platform).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const sharedSource = fileURLToPath(new URL('../../../shared/src/index.ts', import.meta.url));

export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Bundles `fixtures/app.ts`; `@shopstream/shared` from source so a rebuild of shared's dist cannot race a test. */
export async function bundleFixtureApp(): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [`${fixtures}app.ts`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    alias: { '@shopstream/shared': sharedSource },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

export async function startStaticServer(): Promise<StaticServer> {
  const [html, js] = await Promise.all([readFile(`${fixtures}index.html`, 'utf8'), bundleFixtureApp()]);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/' || path === '/index.html') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    if (path === '/app.js') return void res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(js);
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
