/**
 * Per-event-type sampling (`sample: { 'Product Viewed': 0.1 }` keeps about one in ten): for
 * high-volume events whose trends matter more than each occurrence. Types not listed (`rate` undefined) are kept.
 * The rate is recorded in `context.sampleRate` by the caller so counts can be scaled back up.
 */
export function isSampledOut(rate: number | undefined, random: () => number): boolean {
  return rate !== undefined && random() >= rate;
}
