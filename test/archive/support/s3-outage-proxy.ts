/**
 * An HTTP proxy in front of s3rver that can be switched into an outage: while `down`, every
 * request is answered 503 `ServiceUnavailable` (as S3 does under trouble) and never reaches
 * s3rver, so a test can prove nothing was stored meanwhile. Counts the requests it refused.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';

export interface S3OutageProxy {
  readonly endpoint: string;
  setDown(down: boolean): void;
  /** Requests answered 503 so far. */
  refused(): number;
  stop(): Promise<void>;
}

export async function startS3OutageProxy(upstream: string): Promise<S3OutageProxy> {
  const target = new URL(upstream);
  let down = false;
  let refused = 0;
  const server: Server = createServer(async (incoming, outgoing) => {
    const body = await buffer(incoming);
    if (down) {
      refused += 1;
      outgoing.writeHead(503, { 'content-type': 'application/xml' });
      outgoing.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>outage injected by the test</Message></Error>');
      return;
    }
    const forwarded = request({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host } }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => {
      outgoing.writeHead(502);
      outgoing.end();
    });
    forwarded.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setDown: (value) => (down = value),
    refused: () => refused,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
