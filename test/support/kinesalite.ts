/**
 * Starts kinesalite (a real Kinesis Data Streams API server, in memory) in this process on
 * 127.0.0.1 and a free port. Its CLI listens on every interface, so tests start it here instead.
 * Streams are created ACTIVE at once (`createStreamMs: 0`) so a test need not poll.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const require = createRequire(import.meta.url);
const kinesalite = require('kinesalite') as (options: Record<string, unknown>) => Server;

export interface KinesaliteServer {
  readonly endpoint: string;
  /** A client bound to this server (HTTP/1.1: kinesalite fails on the SDK's HTTP/2 default). */
  client(): KinesisClient;
  createStream(name: string, shardCount: number): Promise<void>;
  stop(): Promise<void>;
}

/** Static credentials for local servers: they check a signature is present, not what signed it. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'us-east-1';

export async function startKinesalite(): Promise<KinesaliteServer> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: KinesisClient[] = [];
  const client = (): KinesisClient => {
    const made = new KinesisClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler() });
    clients.push(made);
    return made;
  };
  return {
    endpoint,
    client,
    async createStream(name, shardCount) {
      await client().send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
    },
    async stop() {
      for (const made of clients) made.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
