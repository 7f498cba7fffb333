/**
 * The `bufferedBytesMax` cap. `tryTake` admits an event's bytes if they fit and nobody is
 * already waiting (first come, first served); `wait` queues a blocked call, at most
 * `waitingMax` of them, and `release` admits waiters in order as bytes free up.
 */
export class ByteBudget {
  private usedBytes = 0;
  private readonly waiters: Array<{ bytes: number; admit: () => void; refuse: () => void }> = [];

  constructor(
    private readonly bytesMax: number,
    private readonly waitingMax: number,
  ) {}

  get used(): number {
    return this.usedBytes;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  tryTake(bytes: number): boolean {
    if (this.waiters.length > 0 || this.usedBytes + bytes > this.bytesMax) return false;
    this.usedBytes += bytes;
    return true;
  }

  /** Queues a call until its bytes fit; false when `waitingMax` calls already wait. */
  wait(bytes: number, admit: () => void, refuse: () => void): boolean {
    if (this.waiters.length >= this.waitingMax) return false;
    this.waiters.push({ bytes, admit, refuse });
    return true;
  }

  /** Bytes leave (sent, stored durably, dropped): admit waiters that now fit, in order. */
  release(bytes: number): void {
    this.usedBytes = Math.max(0, this.usedBytes - bytes);
    while (this.waiters.length > 0 && this.usedBytes + this.waiters[0]!.bytes <= this.bytesMax) {
      const waiter = this.waiters.shift()!;
      this.usedBytes += waiter.bytes;
      waiter.admit();
    }
  }

  /** Refuses every waiting call (on close); returns how many there were. */
  refuseWaiters(): number {
    const refused = this.waiters.splice(0);
    for (const waiter of refused) waiter.refuse();
    return refused.length;
  }

}
