/**
 * Redis deduper, shared by a fleet of collectors: one Lua script per chunk of ids does
 * `SET key owner NX PX windowMs` and, when the key exists, `GET` and compares with the
 * caller's owner token, in one round trip. Chunks of one batch go in one pipeline.
 *
 * When Redis cannot be reached (connection refused, `commandTimeoutMs` passed):
 * - `failMode: 'closed'` (default) throws `DedupeUnavailableError` (retryable): the processor
 *   leaves the WAL record in place and tries again later, so nothing is lost and nothing is
 *   written twice; the WAL keeps acknowledging meanwhile, bounded by its quota and the
 *   delivery lag limit (past them the server answers 503).
 * - `failMode: 'open'` lets every event through marked `possibleDuplicate: true` and counts
 *   them: fresher data at the price of possible duplicates downstream.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { DEDUPE_WINDOW_MS_DEFAULT, DedupeUnavailableError, type DedupeFailMode, type Deduper, type DedupeResult } from './deduper.js';

export interface RedisDeduperOptions {
  /** `redis://127.0.0.1:6379/0`; ignored when `client` is given. */
  readonly url?: string;
  /** An ioredis client owned by the caller (tests, shared connections); not closed by `close()`. */
  readonly client?: Redis;
  readonly keyPrefix?: string;
  readonly windowMs?: number;
  readonly failMode?: DedupeFailMode;
  readonly commandTimeoutMs?: number;
  /** Ids per script call: bounds how long one script blocks Redis. */
  readonly idsPerCallMax?: number;
  /** Called once per failed call with the cause; the collector logs and counts it. */
  readonly onUnavailable?: (error: Error) => void;
}

export interface RedisDeduper extends Deduper {
  readonly failMode: DedupeFailMode;
  /** True when the last call reached Redis. */
  readonly healthy: boolean;
  /** Disconnects a client this deduper made (never one passed in). */
  close(): Promise<void>;
}

// KEYS = ids; ARGV[1] = window in ms; ARGV[1 + i] = owner of KEYS[i]. Returns 1 (first seen) or 0 per key.
const CLAIM_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local owner = ARGV[i + 1]
  if redis.call('SET', key, owner, 'NX', 'PX', ARGV[1]) then
    out[i] = 1
  elseif redis.call('GET', key) == owner then
    out[i] = 1
  else
    out[i] = 0
  end
end
return out`;

type ClaimingRedis = Redis & { shopstreamClaim(numKeys: number, ...args: string[]): Promise<number[]> };

export function createRedisDeduper(options: RedisDeduperOptions): RedisDeduper {
  const failMode = options.failMode ?? 'closed';
  const windowMs = options.windowMs ?? DEDUPE_WINDOW_MS_DEFAULT;
  const prefix = options.keyPrefix ?? 'shopstream:dedupe:';
  const idsPerCallMax = options.idsPerCallMax ?? 500;
  const redisOptions: RedisOptions = {
    // Fail fast instead of queueing while disconnected: the fail mode decides, not a hidden queue.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    lazyConnect: false,
  };
  const ownsClient = options.client === undefined;
  const client = (options.client ?? new Redis(options.url ?? 'redis://127.0.0.1:6379', redisOptions)) as ClaimingRedis;
  client.on('error', () => undefined); // reported through onUnavailable when a call fails
  client.defineCommand('shopstreamClaim', { lua: CLAIM_SCRIPT });
  let healthy = true;
  const commandTimeoutMs = options.commandTimeoutMs ?? 1000;
  // Until the first connection, calls wait for it (bounded); after that a lost connection fails
  // calls at once while ioredis reconnects in the background.
  let firstConnect: Promise<void> | undefined = client.status === 'ready' ? undefined : waitReady(client, commandTimeoutMs);
  firstConnect?.catch(() => undefined); // reported by the first call, not as an unhandled rejection

  return {
    failMode,
    get healthy() {
      return healthy;
    },
    async firstSeen(ids, owners): Promise<DedupeResult> {
      if (ids.length === 0) return { firstSeen: [], degraded: false };
      try {
        if (firstConnect) {
          const connecting = firstConnect;
          firstConnect = undefined;
          await connecting;
        }
        const pipeline = client.pipeline() as unknown as ClaimingRedis & { exec(): Promise<[Error | null, unknown][] | null> };
        for (let start = 0; start < ids.length; start += idsPerCallMax) {
          const keys = ids.slice(start, start + idsPerCallMax).map((id) => prefix + id);
          pipeline.shopstreamClaim(keys.length, ...keys, String(windowMs), ...owners.slice(start, start + idsPerCallMax));
        }
        const results = await pipeline.exec();
        if (!results) throw new Error('Redis pipeline was discarded');
        const firstSeen: boolean[] = [];
        for (const [error, value] of results) {
          if (error) throw error;
          for (const flag of value as number[]) firstSeen.push(flag === 1);
        }
        healthy = true;
        return { firstSeen, degraded: false };
      } catch (cause) {
        healthy = false;
        const error = cause instanceof Error ? cause : new Error(String(cause));
        options.onUnavailable?.(error);
        if (failMode === 'open') return { firstSeen: ids.map(() => true), degraded: true };
        throw new DedupeUnavailableError(`Redis deduper is unreachable (${error.message}); the batch stays in the WAL and is retried`, { cause: error });
      }
    },
    async close() {
      if (ownsClient) client.disconnect();
    },
  };
}

function waitReady(client: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`no connection to Redis within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
