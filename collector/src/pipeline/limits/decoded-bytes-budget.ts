/**
 * A per-thread budget for decoded bytes in flight (limits.decodedBytesInFlightMax): gunzipped
 * bodies and parsed JSON on the HTTP thread, opened frames in the delivery thread. Each body is
 * bounded on its own (limits.decodedBytesMax), but many at once are not: eight 29 KB lz4 frames
 * that each open to 7 MiB grew a collector by 661 MB. Holding a reservation while decoding caps
 * the sum. The HTTP thread asks `tryTake` and answers 503 + Retry-After when it fails; the
 * delivery thread `take`s and waits its turn (acknowledged records are never dropped).
 *
 * A reservation larger than the whole budget is granted only when nothing else is held, so one
 * legal but large body still goes through, alone.
 */

export type Release = () => void;

export class DecodedBytesBudget {
  private held = 0;
  private readonly waiting: { bytes: number; grant: (release: Release) => void }[] = [];

  constructor(readonly bytesMax: number) {
    if (!(bytesMax > 0)) throw new Error(`decoded-bytes budget must be positive, got ${bytesMax}`);
  }

  get heldBytes(): number {
    return this.held;
  }

  tryTake(bytes: number): Release | undefined {
    if (this.waiting.length > 0 || !this.fits(bytes)) return undefined;
    return this.grant(bytes);
  }

  take(bytes: number): Promise<Release> {
    const now = this.tryTake(bytes);
    if (now) return Promise.resolve(now);
    return new Promise((grant) => this.waiting.push({ bytes, grant }));
  }

  private fits(bytes: number): boolean {
    return this.held === 0 || this.held + bytes <= this.bytesMax;
  }

  private grant(bytes: number): Release {
    this.held += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= bytes;
      if (this.held < 0) throw new Error(`decoded-bytes budget went negative (${this.held})`);
      while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
        const next = this.waiting.shift()!;
        next.grant(this.grant(next.bytes));
      }
    };
  }
}
