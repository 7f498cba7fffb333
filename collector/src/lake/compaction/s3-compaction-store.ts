/**
 * Compaction on the S3 sink's layout (`<prefix>/<zone>/source=…/…/hr=…/<name>`). Staged outputs
 * live under `<prefix>/_compact/<id>/`, journals at `<prefix>/_compact/<id>.json`, outside every
 * zone, so no table's location covers them. Publishing copies a staged object to its final key
 * (S3 has no rename; a PUT or COPY is atomic per object); removing inputs is one DeleteObjects
 * call per 1,000 keys.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { CopyObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { LakeZone } from '@shopstream/shared';
import type { LakeFile, LakePartitionFiles } from '../local-lake-files.js';
import type { CompactionJournal, CompactionStore } from './compaction-store.js';

const PARTITION_KEY = /^(raw|clean|failed|audit)\/(source=[^/]+)\/(event_type=([^/]+))\/(dt=(\d{4}-\d{2}-\d{2}))\/(hr=(\d{2}))\/([^/]+\.(?:parquet|ndjson\.gz))$/;

export function s3CompactionStore(client: S3Client, bucket: string, prefix: string): CompactionStore {
  const base = prefix.replace(/^\/+|\/+$/g, '');
  const key = (rest: string) => (base === '' ? rest : `${base}/${rest}`);
  const jobs = key('_compact/');

  async function* list(listPrefix: string, delimiter?: string) {
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: listPrefix, ContinuationToken: token, ...(delimiter ? { Delimiter: delimiter } : {}) }));
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  const exists = (k: string) => client.send(new HeadObjectCommand({ Bucket: bucket, Key: k })).then(() => true, (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => {
    if (error.name === 'NotFound' || error.$metadata?.httpStatusCode === 404) return false;
    throw error;
  });
  const deleteKeys = async (keys: readonly string[]) => {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      if (chunk.length > 0) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }));
    }
  };

  return {
    label: `s3://${bucket}/${base}`,
    async partitions() {
      const byPartition = new Map<string, LakePartitionFiles & { files: LakeFile[] }>();
      for (const zone of ['raw', 'clean', 'failed', 'audit'] as const) {
        for await (const page of list(key(`${zone}/`))) {
          for (const object of page.Contents ?? []) {
            const rest = base === '' ? object.Key! : object.Key!.slice(base.length + 1);
            const match = PARTITION_KEY.exec(rest);
            if (!match) continue;
            const partition = `${match[1]}/${match[2]}/${match[3]}/${match[5]}/${match[7]}`;
            let entry = byPartition.get(partition);
            if (!entry) {
              entry = { partition, zone: match[1] as LakeZone, slug: match[4]!, hourStartMs: Date.parse(`${match[6]}T${match[8]}:00:00Z`), files: [] };
              byPartition.set(partition, entry);
            }
            entry.files.push({ name: match[9]!, bytes: object.Size ?? 0 });
          }
        }
      }
      for (const entry of byPartition.values()) entry.files.sort((a, b) => (a.name < b.name ? -1 : 1));
      return [...byPartition.values()];
    },
    async fetch(partition, names, workDir) {
      const paths: string[] = [];
      for (const name of names) {
        const path = join(workDir, name);
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key(`${partition}/${name}`) }));
        await pipeline(object.Body as Readable, createWriteStream(path));
        paths.push(path);
      }
      return paths;
    },
    async stage(id, name, localPath) {
      await new Upload({ client, params: { Bucket: bucket, Key: `${jobs}${id}/${name}`, Body: await readFile(localPath) }, partSize: 8 * 1024 * 1024, leavePartsOnError: false }).done();
    },
    async writeJournal(journal) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${jobs}${journal.id}.json`, Body: JSON.stringify(journal), ContentType: 'application/json' }));
    },
    async journals() {
      const out: CompactionJournal[] = [];
      for await (const page of list(jobs, '/')) {
        for (const object of page.Contents ?? []) {
          if (!object.Key!.endsWith('.json')) continue;
          const body = await client.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }));
          out.push(JSON.parse(await body.Body!.transformToString()) as CompactionJournal);
        }
      }
      return out;
    },
    async stagedJobs() {
      const ids: string[] = [];
      for await (const page of list(jobs, '/')) for (const p of page.CommonPrefixes ?? []) ids.push(p.Prefix!.slice(jobs.length).replace(/\/$/, ''));
      return ids;
    },
    async publish(id, name, partition) {
      const staged = `${jobs}${id}/${name}`;
      const target = key(`${partition}/${name}`);
      if (await exists(staged)) {
        await client.send(new CopyObjectCommand({ Bucket: bucket, Key: target, CopySource: `${bucket}/${encodeURIComponent(staged).replace(/%2F/g, '/')}` }));
        return;
      }
      if (!(await exists(target))) throw new Error(`compaction ${id}: output ${name} is neither staged nor in ${partition}`);
    },
    async remove(partition, names) {
      await deleteKeys(names.map((name) => key(`${partition}/${name}`)));
    },
    async dropJob(id) {
      const staged: string[] = [];
      for await (const page of list(`${jobs}${id}/`)) for (const object of page.Contents ?? []) staged.push(object.Key!);
      await deleteKeys(staged);
      await deleteKeys([`${jobs}${id}.json`]);
    },
  };
}
