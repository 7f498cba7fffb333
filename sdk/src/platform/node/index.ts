/**
 * `@shopstream/sdk/node`: the core client wired for Node: undici keep-alive transport, lz4 +
 * msgpack frames, optional HMAC request signing and payload sealing, and a disk-backed queue
 * when `queueDir` is given.
 */
import { createUuidV7, msgpackEncoding, type Sealer } from '@shopstream/shared';
import { createPooledRandom, lz4Codec } from '@shopstream/shared/node';
import { createClient as createCoreClient, type Client, type Credentials } from '../../client.js';
import type { ClientSettings } from '../../config.js';
import { SdkError } from '../../errors.js';
import { createSigningTransport, type SigningKey } from '../../signing/hmac-node.js';
import { createFileStorage } from '../../storage/file.js';
import { createMemoryStorage } from '../../storage/memory.js';
import type { Storage } from '../../storage/storage.js';
import { createUndiciTransport } from '../../transport/undici.js';
import type { Transport } from '../../transport/transport.js';
import { batchUrl } from './batch-url.js';
import { installSignalHandlers } from './signals.js';

export interface NodeClientOptions extends ClientSettings {
  /**
   * The collector's base URL (`https://collect.example.com`, like the browser SDK) or its batch URL
   * (`https://collect.example.com/v1/batch`): an empty path or `/` gets `/v1/batch` (./batch-url.ts).
   */
  readonly endpoint: string;
  /** Source secret: when set, every request carries an HMAC-SHA256 signature the collector verifies. */
  readonly secret?: string;
  /**
   * The id of `secret` in the collector's `sources[].secrets` (rotation with overlap): sent in the
   * signature header (`kid=<id>`) so the collector checks that one secret.
   */
  readonly secretId?: string;
  /** Encrypts every frame payload to the collector's public key (see `createSealer` in @shopstream/shared). */
  readonly sealer?: Sealer;
  /** Directory of the disk-backed queue; without it batches wait in memory only. */
  readonly queueDir?: string;
  readonly queue?: {
    readonly fsync?: 'always' | 'interval';
    readonly fsyncIntervalMs?: number;
    /** Default 256 MiB; past it the oldest batches are dropped and counted. */
    readonly bytesMax?: number;
    readonly segmentBytesMax?: number;
  };
  /** Install SIGTERM/SIGINT handlers that `close()` within `closeDeadlineMs`, then exit. Default false. */
  readonly handleSignals?: boolean;
  /** Deadline for `close()` from a signal. Default 5 s. */
  readonly closeDeadlineMs?: number;
  /** Replaces the undici transport (tests, proxies). */
  readonly transport?: Transport;
  /** Replaces the memory/file storage. */
  readonly storage?: Storage;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly uuid?: () => string;
}

/** New credentials after a rotation: each field replaces the current one; `secret: null` stops signing. */
export interface NodeCredentials extends Credentials {
  readonly secret?: string | null;
  readonly secretId?: string;
}

export interface NodeClient extends Client {
  /**
   * Uses the new write key and/or secret from the next request on and ends a delivery pause
   * caused by a refused key (401/403, `SDK_UNAUTHORIZED`) at once: the kept batches go now.
   */
  setCredentials(credentials: NodeCredentials): void;
  /**
   * Cuts the open batch and resolves once it is written to the queue file and fsynced: from then
   * on every event tracked before the call survives kill -9 and is delivered after a restart.
   * Without `queueDir` it only moves the batch to memory storage.
   */
  flushToDisk(): Promise<void>;
}

const NODE_CONTEXT = { library: { name: '@shopstream/sdk', version: '0.1.0' } };

export function createClient(options: NodeClientOptions): NodeClient {
  const inFlightMax = options.inFlightMax ?? 4;
  let signing: SigningKey | undefined = options.secret ? { secret: options.secret, id: options.secretId } : undefined;
  const inner = options.transport ?? createUndiciTransport({ endpoint: batchUrl(options.endpoint), connectionsMax: inFlightMax, now: options.now });
  // Always wrapped: a secret set later by setCredentials signs the next attempt.
  const transport = createSigningTransport(inner, () => signing, options.now);
  const storage: Storage =
    options.storage ??
    (options.queueDir
      ? createFileStorage({
          dir: options.queueDir,
          ...options.queue,
          onDrop: (events) =>
            options.onError?.(new SdkError('SDK_QUEUE_FULL', `queue in ${options.queueDir} reached its bytesMax: dropped the oldest ${events} events (and more until the collector catches up; see stats().dropped)`), undefined),
        })
      : createMemoryStorage());
  const core = createCoreClient({
    ...options,
    context: { ...NODE_CONTEXT, ...options.context },
    transport,
    storage,
    codec: lz4Codec,
    encoding: msgpackEncoding,
    uuid: options.uuid ?? createUuidV7(options.now ?? Date.now, createPooledRandom()),
  });
  const setCoreCredentials = core.setCredentials.bind(core);
  const client: NodeClient = Object.assign(core, {
    flushToDisk: () => core.flushToStorage(),
    setCredentials(credentials: NodeCredentials) {
      if (credentials.secret === null) signing = undefined;
      else if (credentials.secret !== undefined) {
        if (credentials.secret === '') throw new SdkError('SDK_CONFIG_INVALID', 'setCredentials: secret must not be empty (pass null to stop signing)');
        signing = { secret: credentials.secret, id: credentials.secretId };
      } else if (credentials.secretId !== undefined && signing) signing = { ...signing, id: credentials.secretId };
      setCoreCredentials(credentials);
    },
  });
  if (options.handleSignals) installSignalHandlers(client, options.closeDeadlineMs ?? 5_000);
  return client;
}

export { createFileStorage, type FileStorage, type FileStorageOptions } from '../../storage/file.js';
export { createMemoryStorage } from '../../storage/memory.js';
export { createUndiciTransport, type UndiciTransportOptions } from '../../transport/undici.js';
export { createSigningTransport, signatureHeaders, signatureHex, type SigningKey } from '../../signing/hmac-node.js';
export { SdkError, isSdkError, type SdkErrorCode } from '../../errors.js';
export type { Client, ClientStats, CloseResult, Credentials } from '../../client.js';
export type { ClientSettings, BatchInfo } from '../../config.js';
export type { CallOptions, Properties } from '../../batch/envelope.js';
export type { Storage, StoredBatch } from '../../storage/storage.js';
export type { Transport } from '../../transport/transport.js';
export { createEcommerce, trackEcommerce, type Ecommerce, type Tracks } from '../../ecommerce/helpers.js';
export type { EcommerceEvents } from '../../ecommerce/catalog-types.js';
