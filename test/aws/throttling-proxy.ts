/**
 * A small HTTP proxy in front of kinesalite that turns a fraction of PutRecords entries into
 * `ProvisionedThroughputExceededException`: it forwards only the other entries, then answers
 * with kinesalite's results and the injected failures merged back in request order, as a
 * throttled real stream would. It counts what it injected so tests can compare with what the
 * sink re-sent.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';

export interface ThrottlingProxy {
  readonly endpoint: string;
  /** Entries answered as throttled so far. */
  injected(): number;
  stop(): Promise<void>;
}

/** `failEntry(i)` decides per entry; e.g. `() => Math.random() < 0.1`. */
export async function startThrottlingProxy(upstream: string, failEntry: () => boolean): Promise<ThrottlingProxy> {
  const target = new URL(upstream);
  let injected = 0;
  const forward = (incoming: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers = { ...incoming.headers, host: target.host, 'content-length': String(body.length) };
      const outgoing = request({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers }, async (answer) => {
        resolve({ status: answer.statusCode ?? 500, headers: { 'content-type': String(answer.headers['content-type'] ?? 'application/x-amz-json-1.1') }, body: await buffer(answer) });
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  const server: Server = createServer(async (incoming, outgoing) => {
    try {
      const body = await buffer(incoming);
      const isPutRecords = String(incoming.headers['x-amz-target'] ?? '').endsWith('.PutRecords');
      if (!isPutRecords) {
        const answer = await forward(incoming, body);
        outgoing.writeHead(answer.status, answer.headers).end(answer.body);
        return;
      }
      const parsed = JSON.parse(body.toString('utf8')) as { StreamName: string; Records: unknown[] };
      const failed = parsed.Records.map(() => failEntry());
      const kept = parsed.Records.filter((_, i) => !failed[i]);
      const throttled = { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard shardId-000000000000 in stream under account 000000000000.' };
      let results: unknown[] = [];
      if (kept.length > 0) {
        const answer = await forward(incoming, Buffer.from(JSON.stringify({ ...parsed, Records: kept })));
        if (answer.status !== 200) {
          outgoing.writeHead(answer.status, answer.headers).end(answer.body);
          return;
        }
        results = (JSON.parse(answer.body.toString('utf8')) as { Records: unknown[] }).Records;
      }
      const merged: unknown[] = [];
      let next = 0;
      for (const fail of failed) merged.push(fail ? throttled : results[next++]);
      const failedCount = failed.filter(Boolean).length;
      injected += failedCount;
      const upstreamFailed = merged.filter((entry) => (entry as { ErrorCode?: string }).ErrorCode !== undefined).length;
      outgoing.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ FailedRecordCount: upstreamFailed, Records: merged }));
    } catch (error) {
      outgoing.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'InternalFailure', message: String(error) }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    injected: () => injected,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
