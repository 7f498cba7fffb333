/**
 * Writes one sink's records until each is delivered or dead-lettered, never dropping one:
 * chunks within the sink's limits; `retryable` outcomes retried with full-jitter backoff up to
 * `retriesMax` tries, behind a circuit breaker (an outage waits, it does not spend tries or
 * dead-letter); `partial` resends only what the sink handed back; a `failure` (the data is at
 * fault) is narrowed by halving the chunk until only the refused records are dead-lettered with
 * the sink's reason; a dead-letter write that fails is retried until it lands.
 */
import type { Logger } from 'pino';
import type { Sink, SinkOutcome, SinkRecord } from '../sinks/sink.js';
import { LogEvent } from '../telemetry/events.js';
import { backoffMs } from './backoff.js';
import { chunkByLimits, recordBytes } from './chunk.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { Clock } from './clock.js';
import type { DeadLetter, DeadLetterReason } from './dead-letter.js';
import type { DeliveryObserver, DeliveryPolicy } from './delivery-types.js';
import { writeWithDeadline } from './write-with-deadline.js';

export interface ChunkWriterOptions {
  readonly sink: Sink;
  readonly deadLetter: DeadLetter;
  readonly policy: DeliveryPolicy;
  readonly log: Logger;
  readonly observer?: DeliveryObserver | undefined;
  readonly clock: Clock;
  readonly random: () => number;
  /** The last write or dead-letter error, for the loop's status. */
  readonly noteError: (error: Error | undefined) => void;
}

export class ChunkWriter {
  readonly breaker: CircuitBreaker;
  delivered = 0;
  deadLettered = 0;
  writeErrors = 0;

  constructor(private readonly options: ChunkWriterOptions) {
    this.breaker = new CircuitBreaker(options.policy, options.clock, (state) => {
      options.observer?.breakerChanged(this.name, state);
      options.log.warn({ event: LogEvent.SinkBreakerChanged, sink: this.name, breaker: state }, `sink ${this.name} breaker is ${state}`);
    });
  }

  private get name(): string {
    return this.options.sink.name;
  }

  private get clock(): Clock {
    return this.options.clock;
  }

  private get random(): () => number {
    return this.options.random;
  }

  private noteError(error: Error | undefined): void {
    this.options.noteError(error);
  }

  /** Writes a batch's records in chunks within the sink's limits; resolves when every record is delivered or dead-lettered. */
  async deliver(records: readonly SinkRecord[], signal: AbortSignal): Promise<void> {
    const { limits } = this.options.sink;
    const tooLarge = records.filter((r) => recordBytes(r) > limits.recordBytesMax);
    if (tooLarge.length > 0) {
      await this.deadLetterUntilDone(tooLarge, { code: 'COLLECTOR_RECORD_TOO_LARGE', message: `record is larger than sink ${this.name}'s ${limits.recordBytesMax}-byte limit per record` }, signal);
    }
    const fitting = tooLarge.length > 0 ? records.filter((r) => recordBytes(r) <= limits.recordBytesMax) : records;
    for (const chunk of chunkByLimits(fitting, limits)) await this.deliverChunk(chunk, signal);
  }

  /** Writes one chunk until it is delivered or dead-lettered. */
  private async deliverChunk(chunk: readonly SinkRecord[], signal: AbortSignal): Promise<void> {
    const { policy, observer } = this.options;
    let pending = chunk;
    let tries = 0;
    for (;;) {
      await this.breaker.admit(signal);
      const probing = this.breaker.state === 'half-open';
      const outcome = await writeWithDeadline(this.options.sink, pending, signal, this.options.policy.writeTimeoutMs);
      if (signal.aborted) throw signal.reason;
      if (outcome.status === 'success') {
        this.breaker.success();
        this.countDelivered(pending);
        return;
      }
      this.writeErrors += 1;
      this.noteError(outcome.error);
      observer?.writeFailed(this.name, outcome.status, outcome.error);
      this.options.log.warn({ event: LogEvent.SinkWriteError, sink: this.name, status: outcome.status, records: pending.length, err: outcome.error }, `sink ${this.name} write ${outcome.status}: ${outcome.error?.message ?? 'no reason given'}`);
      if (outcome.status === 'failure') {
        this.breaker.success(); // the sink answered; the data is at fault
        if (pending.length > 1) {
          // Narrow the refusal to the records at fault: halves are written on their own, so one
          // bad record costs about log2(n) extra writes and its neighbours still land.
          const half = Math.ceil(pending.length / 2);
          await this.deliverChunk(pending.slice(0, half), signal);
          await this.deliverChunk(pending.slice(half), signal);
          return;
        }
        await this.deadLetterUntilDone(pending, { code: 'COLLECTOR_SINK_REJECTED', message: `sink ${this.name} refused the record: ${outcome.error.message}` }, signal);
        return;
      }
      let retryAfterMs = 0;
      if (outcome.status === 'partial') {
        this.breaker.success();
        const notDelivered = new Set([...outcome.retry, ...(outcome.refused ?? []).flatMap((r) => r.records)]);
        this.countDelivered(pending.filter((r) => !notDelivered.has(r)));
        for (const refused of outcome.refused ?? []) {
          await this.deadLetterUntilDone(refused.records, { code: 'COLLECTOR_SINK_REJECTED', message: `sink ${this.name} refused the records: ${refused.error.message}` }, signal);
        }
        if (outcome.retry.length === 0) return;
        pending = [...outcome.retry];
        tries += 1;
      } else {
        this.breaker.failure();
        if (!probing) tries += 1; // a probe while the breaker is open does not spend the batch's tries
        retryAfterMs = outcome.retryAfterMs ?? 0;
      }
      if (tries >= policy.retriesMax) {
        await this.deadLetterUntilDone(pending, { code: 'COLLECTOR_SINK_RETRIES_EXHAUSTED', message: `sink ${this.name} did not take the records after ${tries} tries: ${outcome.error?.message ?? 'no reason given'}` }, signal);
        return;
      }
      if (this.breaker.state !== 'open') await this.clock.sleep(backoffMs(tries, policy, this.random, retryAfterMs), signal);
    }
  }

  private countDelivered(records: readonly SinkRecord[]): void {
    this.delivered += records.length;
    this.options.observer?.delivered(this.name, records.length, records.reduce((sum, r) => sum + recordBytes(r), 0));
  }

  private async deadLetterUntilDone(records: readonly SinkRecord[], reason: DeadLetterReason, signal: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let outcome: SinkOutcome;
      try {
        outcome = await this.options.deadLetter.write(this.name, records, reason);
      } catch (error) {
        outcome = { status: 'retryable', error: error as Error };
      }
      if (outcome.status === 'success') {
        this.deadLettered += records.length;
        this.options.observer?.deadLettered(this.name, records.length, reason.code);
        this.options.log.warn({ event: LogEvent.RecordDeadLettered, sink: this.name, records: records.length, code: reason.code }, `${records.length} records for sink ${this.name} went to the dead-letter zone: ${reason.message}`);
        return;
      }
      this.options.log.error({ event: LogEvent.DeadLetterWriteError, sink: this.name, err: outcome.error }, `dead-letter write for sink ${this.name} failed; retrying (nothing is dropped)`);
      await this.clock.sleep(backoffMs(attempt, this.options.policy, this.random), signal);
    }
  }

}
