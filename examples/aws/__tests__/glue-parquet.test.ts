// The Glue tables' columns equal the Parquet schema the S3 sink writes: sample events of five
// types go through the collector's S3 sink (Parquet) into s3rver, DuckDB reads each object's
// schema back, and every column (name and type, nested structs and lists included) equals the
// Glue table of its zone and event type in the synthesized template.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadLakeCatalog } from '@shopstream/collector';
import { createS3Sink } from '../../../collector/src/sinks/aws/s3/s3-sink.js';
import { startS3rver, type S3rverServer } from '../../../test/support/s3rver.js';
import { driveSink } from '../../../test/aws/drive-sink.js';
import { getObject, listKeys } from '../../../test/aws/s3-read.js';
import { sampleRecords } from '../../../test/aws/sample-records.js';
import { ShopstreamStack } from '../lib/shopstream-stack.js';

let s3: S3rverServer;
let dir: string;
beforeAll(async () => {
  s3 = await startS3rver();
  dir = await mkdtemp(join(tmpdir(), 'shopstream-glue-parquet-'));
});
afterAll(async () => {
  await s3?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A DuckDB type as Hive/Glue spells it: what Athena would read the Parquet column as. */
function hiveTypeOfDuckdb(type: string): string {
  const t = type.trim();
  if (t.endsWith('[]')) return `array<${hiveTypeOfDuckdb(t.slice(0, -2))}>`;
  if (t.startsWith('STRUCT(')) {
    const fields = splitTopLevel(t.slice('STRUCT('.length, -1)).map((field) => {
      const match = /^("(?:[^"]|"")*"|\S+)\s+(.+)$/s.exec(field.trim())!;
      const name = match[1]!.startsWith('"') ? match[1]!.slice(1, -1).replace(/""/g, '"') : match[1]!;
      return `${name.toLowerCase()}:${hiveTypeOfDuckdb(match[2]!)}`;
    });
    return `struct<${fields.join(',')}>`;
  }
  const simple: Record<string, string> = { VARCHAR: 'string', JSON: 'string', DOUBLE: 'double', BIGINT: 'bigint', INTEGER: 'int', BOOLEAN: 'boolean', TIMESTAMP: 'timestamp', 'TIMESTAMP WITH TIME ZONE': 'timestamp' };
  if (!(t in simple)) throw new Error(`no Hive type for DuckDB type ${t}`);
  return simple[t]!;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

it('every Parquet object the S3 sink writes has exactly its Glue table\'s columns', async () => {
  const catalog = await loadLakeCatalog();
  await s3.createBucket('lake');
  const sink = createS3Sink({ client: s3.client(), bucket: 'lake', prefix: 'lake', format: 'parquet', catalog, log: () => undefined });
  await driveSink(sink, sampleRecords({ count: 500, source: 'web' }));
  await sink.close?.();
  const keys = await listKeys(s3.client(), 'lake');
  expect(keys.length).toBeGreaterThanOrEqual(5);

  const stack = new ShopstreamStack(new App(), 'GlueParquet', { env: { region: 'eu-central-1' }, catalog, sources: ['web'], oidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/x', oidcIssuer: 'x' });
  const glue = new Map(Object.values(Template.fromStack(stack).findResources('AWS::Glue::Table')).map((r: any) => [r.Properties.TableInput.Name as string, r.Properties.TableInput.StorageDescriptor.Columns as { Name: string; Type: string }[]]));

  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const checked = new Set<string>();
    for (const key of keys) {
      const file = join(dir, key);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, await getObject(s3.client(), 'lake', key));
      const [, zone, slug] = /^lake\/([a-z]+)\/source=[^/]+\/event_type=([^/]+)\//.exec(key)!;
      const table = zone === 'failed' || zone === 'audit' ? zone : `${zone}_${slug}`;
      const described = (await connection.runAndReadAll(`describe select * from read_parquet('${file}', hive_partitioning = false)`)).getRowObjectsJS() as { column_name: string; column_type: string }[];
      const parquet = described.map((c) => ({ Name: c.column_name.toLowerCase(), Type: hiveTypeOfDuckdb(c.column_type) }));
      expect(glue.get(table!), `${key} → ${table}`).toEqual(parquet);
      checked.add(table!);
    }
    expect(checked.size).toBeGreaterThanOrEqual(5);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});
