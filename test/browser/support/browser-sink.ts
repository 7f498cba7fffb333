/**
 * The stand-in collector for the browser tests: a node:http server on 127.0.0.1 that accepts
 * `POST /v1/batch`, decodes frames with shared's `decodeFrame` (or the no-CompressionStream
 * fallback `{"batch":[...]}`), and keeps every event received, duplicates included, so a test
 * can assert "each id exactly once" and look at context fields. Unlike test/support's frame
 * sink (ids only, Node SDK) it answers CORS, because the fixture shop lives on another port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodecId, decodeFrame, FRAME_MAGIC, gzipStreamCodec, identityCodec, jsonEncoding, PayloadEncoding, type EventEnvelope, type Opener } from '@shopstream/shared';

export interface ReceivedBatch {
  readonly events: readonly EventEnvelope[];
  /** `frame` (magic bytes seen) or `json` (the no-CompressionStream fallback). */
  readonly kind: 'frame' | 'json';
  readonly codec: number | undefined;
  readonly sealed: boolean;
  readonly writeKey: string | null;
  readonly bytes: number;
}

export interface BrowserSink {
  readonly url: string;
  readonly port: number;
  readonly batches: ReceivedBatch[];
  /** Every event received, in arrival order, duplicates kept. */
  events(): EventEnvelope[];
  /** POSTs answered, refused ones included. */
  requests(): number;
  /** From now on answer `status` (with `Retry-After` seconds if given) without recording; `undefined` heals. */
  failWith(status: number | undefined, retryAfterS?: number): void;
  /** Private keys for sealed frames (none: sealed frames get 400). */
  setOpener(opener: Opener | undefined): void;
  close(): Promise<void>;
}

const DECODE = {
  codecs: { [CodecId.identity]: identityCodec, [CodecId.gzip]: gzipStreamCodec },
  encodings: { [PayloadEncoding.json]: jsonEncoding },
  maxDecodedBytes: 16 * 1024 * 1024,
};

/** `writeKey`: answer 401 to any other key. `port`: a restarted sink passes its old one. */
export async function startBrowserSink(options: { writeKey: string; port?: number }): Promise<BrowserSink> {
  const batches: ReceivedBatch[] = [];
  let failure: { status: number; retryAfterS?: number } | undefined;
  let requests = 0;
  let opener: Opener | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    res.setHeader('access-control-expose-headers', 'retry-after');
    if (req.method === 'OPTIONS') return void res.writeHead(204, { 'access-control-allow-headers': 'content-type' }).end();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'POST' || url.pathname !== '/v1/batch') return void res.writeHead(404).end('not found');
    requests += 1;
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    if (failure) {
      if (failure.retryAfterS !== undefined) res.setHeader('retry-after', String(failure.retryAfterS));
      return void res.writeHead(failure.status).end('{"code":"TEST_INJECTED_FAILURE"}');
    }
    const writeKey = url.searchParams.get('writeKey');
    if (writeKey !== options.writeKey) return void res.writeHead(401).end('{"code":"TEST_UNAUTHORIZED"}');
    const body = new Uint8Array(Buffer.concat(chunks));
    const isFrame = body.length >= 24 && new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true) === FRAME_MAGIC;
    try {
      const events = isFrame
        ? ((await decodeFrame(body, { ...DECODE, opener })) as EventEnvelope[])
        : (JSON.parse(Buffer.from(body).toString('utf8')) as { batch: EventEnvelope[] }).batch;
      if (!Array.isArray(events)) throw new Error('body holds no batch array');
      batches.push({ events, kind: isFrame ? 'frame' : 'json', codec: isFrame ? body[5] : undefined, sealed: isFrame && (body[7]! & 1) === 1, writeKey, bytes: body.length });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: events.length }));
    } catch (error) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: (error as { code?: string }).code ?? 'TEST_BAD_BODY', message: String(error) }));
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    batches,
    events: () => batches.flatMap((b) => b.events),
    requests: () => requests,
    failWith: (status, retryAfterS) => {
      failure = status === undefined ? undefined : { status, retryAfterS };
    },
    setOpener: (value) => {
      opener = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
