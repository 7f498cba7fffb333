/**
 * How long acknowledged bytes were only on the local disk: the archive's measured recovery point.
 * The shipper notes each new durable end as it appears (`acknowledged`) and each archived end
 * (`archived`); the age of the oldest noted end the archive just passed is one sample.
 */
import type { Lsn } from '../wal.js';

/** Ends remembered; past it the newest entries merge (over-estimating, never under). */
const EXPOSURES_MAX = 4096;

export class RecoveryPointMeter {
  private exposures: { lsn: Lsn; atMs: number }[] = [];
  /** Last sample and the largest since start, in ms. */
  lastMs = 0;
  maxMs = 0;

  constructor(private readonly nowMs: () => number) {}

  acknowledged(lsn: Lsn): void {
    const last = this.exposures[this.exposures.length - 1];
    if (this.exposures.length >= EXPOSURES_MAX && last) this.exposures[this.exposures.length - 1] = { lsn, atMs: last.atMs };
    else this.exposures.push({ lsn, atMs: this.nowMs() });
  }

  archived(lsn: Lsn): void {
    const now = this.nowMs();
    let exposedMs = -1;
    while (this.exposures.length > 0 && this.exposures[0]!.lsn <= lsn) exposedMs = Math.max(exposedMs, now - this.exposures.shift()!.atMs);
    if (exposedMs < 0) return;
    this.lastMs = exposedMs;
    this.maxMs = Math.max(this.maxMs, exposedMs);
  }
}
