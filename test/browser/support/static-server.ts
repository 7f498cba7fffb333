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
  return serveFiles({ '/': { type: 'text/html; charset=utf-8', body: html }, '/app.js': { type: 'text/javascript; charset=utf-8', body: js } });
}

/** Serves fixed files by path on 127.0.0.1 (a free port); `/index.html` is `/`, anything else 404. */
export async function serveFiles(files: Readonly<Record<string, { readonly type: string; readonly body: string }>>): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const file = files[path === '/index.html' ? '/' : path];
    if (file) return void res.writeHead(200, { 'content-type': file.type }).end(file.body);
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
