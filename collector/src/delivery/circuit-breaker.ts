/**
 * A circuit breaker per sink. After `breakerFailuresMax` consecutive failed writes it opens:
 * the engine stops trying for `breakerOpenMs`, then lets one probe through (half-open); a
 * success closes it, a failure opens it again. While it is open records wait in the WAL (lag
 * grows, backpressure engages) rather than burning their tries and being dead-lettered: an
 * unhealthy sink is not the data's fault.
 */
import type { Clock } from './clock.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerPolicy {
  readonly breakerFailuresMax: number;
  readonly breakerOpenMs: number;
}

export class CircuitBreaker {
  private stateNow: BreakerState = 'closed';
  private failures = 0;
  private openUntilMs = 0;

  constructor(
    private readonly policy: BreakerPolicy,
    private readonly clock: Clock,
    private readonly onChange: (state: BreakerState) => void = () => undefined,
  ) {}

  get state(): BreakerState {
    return this.stateNow;
  }

  /** Waits while the breaker is open; then the next write is a half-open probe. */
  async admit(signal?: AbortSignal): Promise<void> {
    if (this.stateNow !== 'open') return;
    const waitMs = this.openUntilMs - this.clock.now();
    if (waitMs > 0) await this.clock.sleep(waitMs, signal);
    this.set('half-open');
  }

  success(): void {
    this.failures = 0;
    this.set('closed');
  }

  failure(): void {
    this.failures += 1;
    if (this.stateNow === 'half-open' || this.failures >= this.policy.breakerFailuresMax) {
      this.openUntilMs = this.clock.now() + this.policy.breakerOpenMs;
      this.set('open');
    }
  }

  private set(state: BreakerState): void {
    if (state === this.stateNow) return;
    this.stateNow = state;
    this.onChange(state);
  }
}
