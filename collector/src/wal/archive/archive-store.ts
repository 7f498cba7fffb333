/**
 * The object store the WAL archive writes to: four calls, so the shipper, the cursor archiver and
 * restore take any store (an S3 bucket in production, s3rver in tests) and tests can make one
 * fail without patching the AWS SDK.
 */
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface ArchiveStore {
  put(key: string, body: Uint8Array): Promise<void>;
  /** The object's bytes, or `undefined` when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every key under `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Deletes the keys (missing keys are no error). */
  delete(keys: readonly string[]): Promise<void>;
}

/** S3's limit of keys per DeleteObjects call. */
const DELETE_KEYS_MAX = 1000;

export function s3ArchiveStore(client: S3Client, bucket: string): ArchiveStore {
  return {
    async put(key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/octet-stream' }));
    },
    async get(key) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await answer.Body!.transformToByteArray();
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
        throw error;
      }
    },
    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const object of page.Contents ?? []) keys.push(object.Key!);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys.sort();
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += DELETE_KEYS_MAX) {
        const chunk = keys.slice(i, i + DELETE_KEYS_MAX);
        await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }));
      }
    },
  };
}
