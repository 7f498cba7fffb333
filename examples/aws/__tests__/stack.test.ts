// The synthesized template, checked with aws-cdk-lib/assertions: encryption, TLS and public
// access, lifecycle per zone, an IAM policy that names only this stream, these prefixes and this
// key, and a Glue table with partition projection for every lake table the catalog yields, its
// columns those of the lake's table schema (what the S3 sink writes).
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { partitionSlug } from '@shopstream/shared';
import { lakeTables, loadLakeCatalog, type LakeCatalog } from '@shopstream/collector';
import { glueColumns } from '../lib/glue-tables.js';
import { LAKE_PREFIX, ShopstreamStack, WAL_ARCHIVE_PREFIX, ZONE_LIFECYCLE } from '../lib/shopstream-stack.js';

let catalog: LakeCatalog;
let template: Template;
let withFirehose: Template;
const ISSUER = 'oidc.eks.eu-central-1.amazonaws.com/id/TEST';

function synth(firehose: boolean): Template {
  const app = new App();
  const stack = new ShopstreamStack(app, firehose ? 'WithFirehose' : 'Plain', {
    env: { region: 'eu-central-1' },
    catalog,
    sources: ['web', 'orders'],
    oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`,
    oidcIssuer: ISSUER,
    firehose,
  });
  return Template.fromStack(stack);
}

beforeAll(async () => {
  catalog = await loadLakeCatalog();
  template = synth(false);
  withFirehose = synth(true);
});

const resourcesOf = (t: Template, type: string) => Object.values(t.findResources(type)) as { Properties: Record<string, any> }[];

describe('lake bucket', () => {
  it('is SSE-KMS with the stack key, TLS-only and blocks public access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() }, BucketKeyEnabled: true }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('has a lifecycle rule per zone: raw to colder storage early, failed kept longest', () => {
    const [bucket] = resourcesOf(template, 'AWS::S3::Bucket');
    const rules = bucket!.Properties.LifecycleConfiguration.Rules as { Prefix?: string; ExpirationInDays?: number; Transitions?: { StorageClass: string; TransitionInDays: number }[] }[];
    for (const zone of ['raw', 'clean', 'failed', 'audit'] as const) {
      const rule = rules.find((r) => r.Prefix === `${LAKE_PREFIX}/${zone}/`);
      expect(rule, zone).toBeDefined();
      expect(rule!.ExpirationInDays).toBe(ZONE_LIFECYCLE[zone].expireDays);
    }
    const raw = rules.find((r) => r.Prefix === `${LAKE_PREFIX}/raw/`)!;
    expect(raw.Transitions!.map((t) => t.StorageClass)).toEqual(['STANDARD_IA', 'GLACIER_IR']);
    const failed = rules.find((r) => r.Prefix === `${LAKE_PREFIX}/failed/`)!;
    expect(Math.max(...rules.map((r) => r.ExpirationInDays ?? 0))).toBe(failed.ExpirationInDays);
  });
});

describe('stream and Firehose', () => {
  it('Kinesis is on-demand and KMS-encrypted; Firehose is there only when asked for', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', { StreamModeDetails: { StreamMode: 'ON_DEMAND' }, StreamEncryption: { EncryptionType: 'KMS' } });
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0);
    withFirehose.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
  });
});

describe('collector role (IRSA)', () => {
  const collectorRole = (t: Template) => resourcesOf(t, 'AWS::IAM::Role').find((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('AssumeRoleWithWebIdentity'))!;

  it('only the collectors\' ServiceAccount may assume it', () => {
    const statement = collectorRole(template).Properties.AssumeRolePolicyDocument.Statement[0];
    expect(statement.Condition.StringEquals).toEqual({ [`${ISSUER}:sub`]: 'system:serviceaccount:shopstream:shopstream-collector', [`${ISSUER}:aud`]: 'sts.amazonaws.com' });
  });

  it('names only the stream, the lake and archive prefixes, the key (and Firehose stream): no * resource', () => {
    for (const t of [template, withFirehose]) {
      const statements = collectorRole(t).Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement) as { Action: string | string[]; Resource: unknown; Sid: string }[];
      const logicalIds = (type: string) => Object.keys(t.findResources(type));
      const [stream] = logicalIds('AWS::Kinesis::Stream');
      const [bucket] = logicalIds('AWS::S3::Bucket');
      const [key] = logicalIds('AWS::KMS::Key');
      const text = (value: unknown) => JSON.stringify(value);
      for (const statement of statements) {
        expect(text(statement.Resource), statement.Sid).not.toMatch(/"\*"/);
        expect(text(statement.Action), statement.Sid).not.toMatch(/\*/);
      }
      const bySid = new Map(statements.map((s) => [s.Sid, s]));
      expect(bySid.get('Stream')!.Resource).toEqual({ 'Fn::GetAtt': [stream, 'Arn'] });
      expect(bySid.get('Key')!.Resource).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
      expect(bySid.get('LakeObjects')!.Resource).toEqual([
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${LAKE_PREFIX}/*`]] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${WAL_ARCHIVE_PREFIX}/*`]] },
      ]);
      expect(text(bySid.get('LakeList'))).toContain('"s3:prefix":["lake/*","wal-archive/*"]');
      const sids = [...bySid.keys()].sort();
      expect(sids).toEqual(t === withFirehose ? ['Firehose', 'Key', 'LakeList', 'LakeObjects', 'Stream'] : ['Key', 'LakeList', 'LakeObjects', 'Stream']);
      if (t === withFirehose) expect(text(bySid.get('Firehose')!.Resource)).toMatch(/"Fn::GetAtt":\["Firehose[0-9A-F]*","Arn"\]/);
    }
  });
});

describe('Glue catalog', () => {
  it('has a table with partition projection for every catalog event type and zone, columns as the lake writes them', () => {
    const tables = new Map(resourcesOf(template, 'AWS::Glue::Table').map((r) => [r.Properties.TableInput.Name as string, r.Properties.TableInput]));
    const expected = lakeTables(catalog);
    expect(catalog.eventTypes.length).toBeGreaterThan(10);
    for (const eventType of catalog.eventTypes) for (const zone of ['raw', 'clean']) expect(tables.has(`${zone}_${partitionSlug(eventType)}`), `${zone} ${eventType}`).toBe(true);
    expect([...tables.keys()].sort()).toEqual(expected.map((t) => t.name).sort());
    for (const table of expected) {
      const input = tables.get(table.name)!;
      expect(input.StorageDescriptor.Columns, table.name).toEqual(glueColumns(table).map((c) => ({ Name: c.name, Type: c.type })));
      expect(input.PartitionKeys.map((k: { Name: string }) => k.Name)).toEqual(['source_id', 'event_type', 'dt', 'hr']);
      expect(input.Parameters).toMatchObject({
        'projection.enabled': 'true',
        'projection.source_id.values': 'web,orders',
        'projection.dt.type': 'date',
        'projection.hr.range': '0,23',
        'projection.event_type.values': table.slug === '*' ? expect.any(String) : table.slug,
        'storage.location.template': expect.objectContaining({ 'Fn::Join': expect.anything() }),
      });
      expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    }
    const order = tables.get('clean_order_completed')!;
    expect(JSON.stringify(order.Parameters['storage.location.template'])).toContain('/lake/clean/source=${source_id}/event_type=${event_type}/dt=${dt}/hr=${hr}/');
  });
});

describe('alarms and outputs', () => {
  it('alarms on sink lag, dead letters and throttling; outputs what the k8s manifests need', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'shopstream_sink_lag_age_seconds' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'shopstream_record_dead_lettered_total', Threshold: 0 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'PutRecords.ThrottledRecords' });
    for (const output of ['CollectorRoleArn', 'LakeBucket', 'LakePrefix', 'WalArchivePrefix', 'StreamName', 'KmsKeyArn', 'Region']) template.hasOutput(output, {});
  });
});
