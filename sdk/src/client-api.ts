/**
 * The core client's public shape: what `createClient` returns (Segment analytics-node's calls),
 * its counters, what `close()` answers and what `setCredentials()` takes. Apart from client.ts so
 * the implementation file stays about behaviour.
 */
import type { CallOptions, Properties } from './batch/envelope.js';
import type { AliasMessage, GroupMessage, IdentifyMessage, PageMessage, TrackMessage } from './messages.js';

/** Counters since the client started. Event counts, except `retries` (requests resent) and `bufferedBytes`. */
export interface ClientStats {
  /** Calls to track/identify/page/group/alias. */
  readonly tracked: number;
  /** Events accepted into a batch (the rest were dropped at the door). */
  readonly queued: number;
  /** Events handed to the transport (once per delivery round). */
  readonly sent: number;
  /** Events acknowledged by the collector with a 2xx. */
  readonly delivered: number;
  /** Events given up on: buffer full, too large, rejected by the collector, storage full. */
  readonly dropped: number;
  readonly retries: number;
  /** Event bytes held in memory now; never above `bufferedBytesMax`. */
  readonly bufferedBytes: number;
  readonly inFlight: number;
  /** Calls waiting for room (`overflow: 'block'`). */
  readonly waiting: number;
}

export interface CloseResult {
  /** True when everything accepted was acknowledged (or final-dropped) before the deadline. */
  readonly drained: boolean;
  /**
   * Events left undelivered (also reported to `onError` as `SDK_UNDELIVERED`, with the reason):
   * lost with the in-memory queue, kept on disk with `queueDir` and sent after a restart.
   */
  readonly undelivered: number;
}

/** New credentials for a source whose key or secret was rotated (`setCredentials`). */
export interface Credentials {
  /** The source's write key, sent as `Authorization: Bearer <writeKey>`. */
  readonly writeKey?: string;
}

/** The SDK client, shaped like Segment's analytics-node; every call also accepts Segment's message object. */
export interface Client {
  /** Resolves once the event is accepted (at once, unless `overflow: 'block'` is waiting for room). Never rejects. */
  track(type: string, properties?: Properties, options?: CallOptions): Promise<void>;
  track(message: TrackMessage): Promise<void>;
  identify(userId: string, traits?: Properties, options?: CallOptions): Promise<void>;
  identify(message: IdentifyMessage): Promise<void>;
  page(name?: string, properties?: Properties, options?: CallOptions): Promise<void>;
  page(message: PageMessage): Promise<void>;
  group(groupId: string, traits?: Properties, options?: CallOptions): Promise<void>;
  group(message: GroupMessage): Promise<void>;
  alias(userId: string, previousId: string, options?: CallOptions): Promise<void>;
  alias(message: AliasMessage): Promise<void>;
  /** Cuts the open batch and resolves once it is in storage (durable, for a durable storage). */
  flushToStorage(): Promise<void>;
  /** Resolves once every batch accepted so far was acknowledged, dropped, or went through a full retry round. */
  flush(): Promise<void>;
  /** Stops accepting, delivers what it can until `deadlineMs` (default 10 s), then releases storage; reports what it leaves undelivered. */
  close(options?: { deadlineMs?: number }): Promise<CloseResult>;
  /**
   * Uses new credentials from the next request on and ends a delivery pause caused by a
   * refused key (401/403, `SDK_UNAUTHORIZED`) at once: the kept batches go now.
   */
  setCredentials(credentials: Credentials): void;
  stats(): ClientStats;
}
