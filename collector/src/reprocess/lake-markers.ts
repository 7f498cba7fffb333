/**
 * Which dead-letter files a redrive has already resent: an empty marker per file, kept beside the
 * lake outside every zone (`<lake>/_redriven/<partition>/<file>`, S3 `<prefix>/_redriven/…`), so
 * a second `redrive --dead-letters` sends nothing again and no reader's glob over a zone meets it.
 */
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const REDRIVEN_DIR = '_redriven';

export interface LakeMarkers {
  has(partition: string, file: string): Promise<boolean>;
  set(partition: string, file: string): Promise<void>;
}

export function localMarkers(root: string): LakeMarkers {
  const path = (partition: string, file: string) => join(root, REDRIVEN_DIR, partition, file);
  return {
    has: (partition, file) => stat(path(partition, file)).then(() => true, () => false),
    async set(partition, file) {
      await mkdir(dirname(path(partition, file)), { recursive: true });
      await writeFile(path(partition, file), '');
    },
  };
}

export function s3Markers(client: S3Client, bucket: string, prefix: string): LakeMarkers {
  const base = prefix.replace(/^\/+|\/+$/g, '');
  const key = (partition: string, file: string) => `${base === '' ? '' : `${base}/`}${REDRIVEN_DIR}/${partition}/${file}`;
  return {
    async has(partition, file) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key(partition, file) }));
        return true;
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (error as Error).name === 'NotFound') return false;
        throw error;
      }
    },
    async set(partition, file) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key(partition, file), Body: '' }));
    },
  };
}
