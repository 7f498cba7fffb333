/**
 * Amount per second over a sliding window of one-second buckets (at most `windowSec` of them):
 * the measured drain rate behind a 503's `Retry-After` and the throughput in `/v1/status`.
 */
export class RateMeter {
  private readonly buckets: number[];
  private lastSec = 0;

  constructor(private readonly windowSec = 10) {
    this.buckets = new Array<number>(windowSec).fill(0);
  }

  add(amount: number, nowMs: number): void {
    this.advance(nowMs);
    this.buckets[this.lastSec % this.windowSec]! += amount;
  }

  perSecond(nowMs: number): number {
    this.advance(nowMs);
    return this.buckets.reduce((a, b) => a + b, 0) / this.windowSec;
  }

  private advance(nowMs: number): void {
    const sec = Math.floor(nowMs / 1000);
    if (sec <= this.lastSec) return;
    const steps = Math.min(sec - this.lastSec, this.windowSec);
    for (let i = 1; i <= steps; i++) this.buckets[(this.lastSec + i) % this.windowSec] = 0;
    this.lastSec = sec;
  }
}
