/**
 * The lake's key layout, shared by the local lake and the S3 sink so a query written for one
 * reads the other: `<zone>/source=<source>/event_type=<slug>/dt=YYYY-MM-DD/hr=HH/`.
 */
export type LakeZone = 'raw' | 'clean' | 'failed' | 'audit';

/** A partition value: `Product Viewed` → `product_viewed`: lower-case, non-alphanumerics folded to `_`, at most 100 chars. */
export function partitionSlug(type: string): string {
  const slug = type.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 100);
  return slug === '' ? 'unknown' : slug;
}

/**
 * A source id as its partition value: kept exact when it is a valid source id (lower-case
 * letters, digits, `-`, `_`), so `source=web-shop` reads back as the field's `web-shop`.
 */
export function sourcePartitionValue(source: string): string {
  return /^[a-z0-9][a-z0-9_-]{0,62}$/.test(source) ? source : partitionSlug(source);
}

export function hivePartitionPath(zone: LakeZone, source: string, eventType: string, at: Date): string {
  const iso = at.toISOString();
  return `${zone}/source=${sourcePartitionValue(source)}/event_type=${partitionSlug(eventType)}/dt=${iso.slice(0, 10)}/hr=${iso.slice(11, 13)}`;
}
