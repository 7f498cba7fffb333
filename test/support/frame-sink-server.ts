/**
 * A stand-in collector for SDK tests until `collector-process.ts` can spawn the real one: a
 * node:http server on 127.0.0.1 that checks and decodes frames with shared's `decodeFrame`,
 * records every event id (with how often it arrived), and answers as the test scripts it to
 * (status, Retry-After, or not at all while "down").
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeFrame, identityCodec, jsonEncoding, msgpackEncoding, gzipStreamCodec } from '@shopstream/shared';
import { gzipZlibCodec, lz4Codec } from '@shopstream/shared/node';

/** What to answer a request; return undefined for the default (decode, record, 200). */
export type FrameSinkScript = (request: { index: number; headers: IncomingMessage['headers']; body: Buffer }) =>
  | { status: number; headers?: Record<string, string>; body?: string }
  | 'destroy'
  | undefined;

export interface ReceivedRequest {
  readonly atMs: number;
  readonly status: number;
  readonly eventIds: readonly string[];
  readonly headers: IncomingMessage['headers'];
}

export interface FrameSinkServer {
  readonly url: string;
  readonly port: number;
  /** Times each id was accepted (answered 2xx). */
  readonly counts: Map<string, number>;
  readonly requests: ReceivedRequest[];
  script: FrameSinkScript | undefined;
  /** Ids accepted at least once. */
  uniqueIds(): number;
  /** Ids accepted more than once (resends after a crash; the collector's deduper drops them). */
  duplicates(): number;
  close(): Promise<void>;
}

const DECODE = {
  codecs: { 0: identityCodec, 1: lz4Codec, 2: gzipZlibCodec ?? gzipStreamCodec },
  encodings: { 0: msgpackEncoding, 1: jsonEncoding },
  maxDecodedBytes: 64 * 1024 * 1024,
};

export async function startFrameSinkServer(options: { port?: number; script?: FrameSinkScript } = {}): Promise<FrameSinkServer> {
  const counts = new Map<string, number>();
  const requests: ReceivedRequest[] = [];
  let index = 0;
  const sink: FrameSinkServer = {
    url: '',
    port: 0,
    counts,
    requests,
    script: options.script,
    uniqueIds: () => counts.size,
    duplicates: () => [...counts.values()].filter((n) => n > 1).length,
    close: () => closeServer(server),
  };
  const server: Server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const scripted = sink.script?.({ index: index++, headers: req.headers, body });
    if (scripted === 'destroy') {
      req.socket.destroy();
      return;
    }
    if (scripted) {
      requests.push({ atMs: Date.now(), status: scripted.status, eventIds: [], headers: req.headers });
      res.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers }).end(scripted.body ?? '{}');
      return;
    }
    try {
      const events = (await decodeFrame(new Uint8Array(body.buffer, body.byteOffset, body.length), DECODE)) as Array<{ id: string }>;
      const ids = events.map((event) => event.id);
      for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
      requests.push({ atMs: Date.now(), status: 200, eventIds: ids, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    } catch (error) {
      requests.push({ atMs: Date.now(), status: 400, eventIds: [], headers: req.headers });
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: (error as { code?: string }).code, message: (error as Error).message }));
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return Object.assign(sink, { port, url: `http://127.0.0.1:${port}/v1/batch` });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
