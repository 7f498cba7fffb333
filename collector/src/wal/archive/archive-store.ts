/**
 * The object store the WAL archive writes to: four calls, so the shipper, the cursor archiver and
 * restore take any store (an S3 bucket in production, s3rver in tests) and tests can make one
 * fail without patching the AWS SDK.
 */
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface ArchiveStore {
  /** `signal` ends a call S3 leaves hanging (shutdown, a per-call deadline). */
  put(key: string, body: Uint8Array, signal?: AbortSignal): Promise<void>;
  /** The object's bytes, or `undefined` when there is none. */
  get(key: string, signal?: AbortSignal): Promise<Uint8Array | undefined>;
  /** Every key under `prefix`, sorted. */
  list(prefix: string, signal?: AbortSignal): Promise<string[]>;
  /** Deletes the keys (missing keys are no error). */
  delete(keys: readonly string[], signal?: AbortSignal): Promise<void>;
}

/** Longest one archive call may take before it is abandoned and retried. */
export const ARCHIVE_CALL_TIMEOUT_MS = 30_000;

/** `signal` (if any) or the per-call deadline, whichever ends first. */
export function callSignal(signal?: AbortSignal, timeoutMs = ARCHIVE_CALL_TIMEOUT_MS): AbortSignal {
  const deadline = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, deadline]) : deadline;
}

/** S3's limit of keys per DeleteObjects call. */
const DELETE_KEYS_MAX = 1000;

export function s3ArchiveStore(client: S3Client, bucket: string): ArchiveStore {
  return {
    async put(key, body, signal) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/octet-stream' }), { abortSignal: callSignal(signal) });
    },
    async get(key, signal) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: callSignal(signal) });
        return await answer.Body!.transformToByteArray();
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
        throw error;
      }
    },
    async list(prefix, signal) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }), { abortSignal: callSignal(signal) });
        for (const object of page.Contents ?? []) keys.push(object.Key!);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys.sort();
    },
    async delete(keys, signal) {
      for (let i = 0; i < keys.length; i += DELETE_KEYS_MAX) {
        const chunk = keys.slice(i, i + DELETE_KEYS_MAX);
        await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }), { abortSignal: callSignal(signal) });
      }
    },
  };
}
