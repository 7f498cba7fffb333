/**
 * Shopstream on AWS, one stack: what a shop's collectors write to and who may write it.
 *
 * - a KMS key and the lake bucket (SSE-KMS with a bucket key, TLS only, public access blocked,
 *   lifecycle per zone: raw to colder storage, failed kept longest);
 * - the Kinesis stream (on-demand by default) and, optionally, a Firehose delivery stream to the
 *   bucket's `firehose/` prefix;
 * - the Glue database and tables (./glue-tables.ts) with partition projection;
 * - the collectors' IAM role for IRSA (EKS): PutRecords on this stream, objects under the lake
 *   and WAL-archive prefixes, this key, this Firehose stream; nothing else, no `*` resource;
 * - CloudWatch alarms on sink lag and dead letters (the collectors' Prometheus metrics, published
 *   by the CloudWatch agent's Prometheus scraping) and on Kinesis throttling;
 * - outputs with what the Kubernetes manifests need (examples/fleet/k8s).
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Effect, FederatedPrincipal, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { Stream, StreamMode, StreamEncryption } from 'aws-cdk-lib/aws-kinesis';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, StorageClass } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { LakeCatalog } from '@shopstream/collector';
import { LakeGlueCatalog, type LakeFileFormat } from './glue-tables.js';

export interface ShopstreamStackProps extends StackProps {
  readonly catalog: LakeCatalog;
  /** Source ids the collectors accept (partition projection enumerates them). */
  readonly sources: readonly string[];
  /** The EKS cluster's OIDC provider ARN and issuer (`oidc.eks.<region>.amazonaws.com/id/<id>`), for IRSA. */
  readonly oidcProviderArn: string;
  readonly oidcIssuer: string;
  /** Namespace and ServiceAccount of the collectors (examples/fleet/k8s). */
  readonly namespace?: string;
  readonly serviceAccount?: string;
  /** `on-demand` (default) or a shard count. */
  readonly kinesisShards?: 'on-demand' | number;
  readonly firehose?: boolean;
  readonly lakeFormat?: LakeFileFormat;
  /** First day Athena's partition projection enumerates (`YYYY-MM-DD`). */
  readonly firstDay?: string;
  /** Sink lag (seconds) past which the alarm fires; keep it below the collectors' `delivery.lagAgeMaxMs`. */
  readonly lagAlarmSeconds?: number;
}

/** Key prefixes in the bucket; the collector config names the same ones (examples/fleet). */
export const LAKE_PREFIX = 'lake';
export const WAL_ARCHIVE_PREFIX = 'wal-archive';
export const FIREHOSE_PREFIX = 'firehose';

/** Days per zone: raw moves to colder storage early, failed stays longest (replays, audits). */
export const ZONE_LIFECYCLE = {
  raw: { infrequentAccessDays: 30, glacierDays: 90, expireDays: 365 },
  clean: { infrequentAccessDays: 90, expireDays: 730 },
  failed: { infrequentAccessDays: 30, expireDays: 1095 },
  audit: { infrequentAccessDays: 30, expireDays: 400 },
} as const;

/** The Prometheus metrics the alarms read (collector/src/telemetry/events.ts). */
export const ALARM_NAMESPACE = 'ContainerInsights/Prometheus';

export class ShopstreamStack extends Stack {
  constructor(scope: Construct, id: string, props: ShopstreamStackProps) {
    super(scope, id, props);
    const namespace = props.namespace ?? 'shopstream';
    const serviceAccount = props.serviceAccount ?? 'shopstream-collector';
    const format = props.lakeFormat ?? 'parquet';

    const key = new Key(this, 'LakeKey', { enableKeyRotation: true, description: 'Shopstream lake, stream and WAL archive', removalPolicy: RemovalPolicy.RETAIN });

    const bucket = new Bucket(this, 'Lake', {
      encryption: BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      versioned: false,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        ...Object.entries(ZONE_LIFECYCLE).map(([zone, days]) => ({
          id: `zone-${zone}`,
          prefix: `${LAKE_PREFIX}/${zone}/`,
          transitions: [
            { storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(days.infrequentAccessDays) },
            ...('glacierDays' in days ? [{ storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(days.glacierDays) }] : []),
          ],
          expiration: Duration.days(days.expireDays),
        })),
        // Shipped WAL segments are needed until the sinks are past them; a week covers a lost node.
        { id: 'wal-archive', prefix: `${WAL_ARCHIVE_PREFIX}/`, expiration: Duration.days(7) },
      ],
    });

    const shards = props.kinesisShards ?? 'on-demand';
    const stream = new Stream(this, 'Events', {
      ...(shards === 'on-demand' ? { streamMode: StreamMode.ON_DEMAND } : { streamMode: StreamMode.PROVISIONED, shardCount: shards }),
      encryption: StreamEncryption.KMS,
      encryptionKey: key,
      retentionPeriod: Duration.hours(24),
    });

    let firehose: CfnDeliveryStream | undefined;
    if (props.firehose) {
      const firehoseRole = new Role(this, 'FirehoseRole', { assumedBy: new ServicePrincipal('firehose.amazonaws.com') });
      firehoseRole.addToPolicy(new PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [bucket.arnForObjects(`${FIREHOSE_PREFIX}/*`)] }));
      firehoseRole.addToPolicy(new PolicyStatement({ actions: ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads'], resources: [bucket.bucketArn] }));
      firehoseRole.addToPolicy(new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }));
      firehose = new CfnDeliveryStream(this, 'Firehose', {
        deliveryStreamType: 'DirectPut',
        deliveryStreamEncryptionConfigurationInput: { keyType: 'CUSTOMER_MANAGED_CMK', keyArn: key.keyArn },
        extendedS3DestinationConfiguration: {
          bucketArn: bucket.bucketArn,
          roleArn: firehoseRole.roleArn,
          prefix: `${FIREHOSE_PREFIX}/dt=!{timestamp:yyyy-MM-dd}/hr=!{timestamp:HH}/`,
          errorOutputPrefix: `${FIREHOSE_PREFIX}-errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`,
          bufferingHints: { intervalInSeconds: 300, sizeInMBs: 64 },
          compressionFormat: 'GZIP',
          encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: key.keyArn } },
        },
      });
    }

    new LakeGlueCatalog(this, 'Glue', {
      databaseName: 'shopstream',
      bucketName: bucket.bucketName,
      prefix: LAKE_PREFIX,
      format,
      catalog: props.catalog,
      sources: props.sources,
      firstDay: props.firstDay ?? '2026-01-01',
    });

    // IRSA: only the collectors' ServiceAccount in their namespace may assume the role.
    const collectorRole = new Role(this, 'CollectorRole', {
      description: 'Shopstream collectors (IRSA): write the stream, the lake and WAL-archive prefixes, nothing else',
      assumedBy: new FederatedPrincipal(
        props.oidcProviderArn,
        { StringEquals: { [`${props.oidcIssuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`, [`${props.oidcIssuer}:aud`]: 'sts.amazonaws.com' } },
        'sts:AssumeRoleWithWebIdentity',
      ),
      inlinePolicies: {
        collector: new PolicyDocument({
          statements: [
            new PolicyStatement({ sid: 'Stream', effect: Effect.ALLOW, actions: ['kinesis:PutRecords', 'kinesis:PutRecord'], resources: [stream.streamArn] }),
            // Lake objects (every zone, dead letters in `failed` included) and the WAL archive.
            new PolicyStatement({
              sid: 'LakeObjects',
              actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
              resources: [bucket.arnForObjects(`${LAKE_PREFIX}/*`), bucket.arnForObjects(`${WAL_ARCHIVE_PREFIX}/*`)],
            }),
            // Compaction and WAL restore list their own prefixes only.
            new PolicyStatement({
              sid: 'LakeList',
              actions: ['s3:ListBucket'],
              resources: [bucket.bucketArn],
              conditions: { StringLike: { 's3:prefix': [`${LAKE_PREFIX}/*`, `${WAL_ARCHIVE_PREFIX}/*`] } },
            }),
            new PolicyStatement({ sid: 'Key', actions: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt'], resources: [key.keyArn] }),
            ...(firehose ? [new PolicyStatement({ sid: 'Firehose', actions: ['firehose:PutRecordBatch'], resources: [firehose.attrArn] })] : []),
          ],
        }),
      },
    });

    // Alarms on what the collectors report (Prometheus, scraped by the CloudWatch agent).
    const lag = new Metric({ namespace: ALARM_NAMESPACE, metricName: 'shopstream_sink_lag_age_seconds', statistic: 'Maximum', period: Duration.minutes(1) });
    new Alarm(this, 'SinkLagAlarm', {
      alarmDescription: 'A sink of some collector is behind: its oldest undelivered record is older than the threshold (collectors answer 503 past delivery.lagAgeMaxMs)',
      metric: lag,
      threshold: props.lagAlarmSeconds ?? 300,
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const deadLetters = new Metric({ namespace: ALARM_NAMESPACE, metricName: 'shopstream_record_dead_lettered_total', statistic: 'Sum', period: Duration.minutes(5) });
    new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: 'Records were dead-lettered to the failed zone (a sink refused them for good): look at lake/failed/',
      metric: deadLetters,
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    new Alarm(this, 'StreamThrottledAlarm', {
      alarmDescription: 'Kinesis throttles PutRecords (add shards, or switch to on-demand)',
      metric: stream.metricPutRecordsThrottledRecords({ statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // What examples/fleet/k8s needs (ServiceAccount annotation, sink and archive config).
    new CfnOutput(this, 'CollectorRoleArn', { value: collectorRole.roleArn, description: 'eks.amazonaws.com/role-arn of the ServiceAccount' });
    new CfnOutput(this, 'LakeBucket', { value: bucket.bucketName, description: 'SHOPSTREAM_SINKS_S3_BUCKET and SHOPSTREAM_WAL_ARCHIVE_BUCKET' });
    new CfnOutput(this, 'LakePrefix', { value: LAKE_PREFIX });
    new CfnOutput(this, 'WalArchivePrefix', { value: WAL_ARCHIVE_PREFIX });
    new CfnOutput(this, 'StreamName', { value: stream.streamName, description: 'SHOPSTREAM_SINKS_KINESIS_STREAM_NAME' });
    new CfnOutput(this, 'KmsKeyArn', { value: key.keyArn });
    new CfnOutput(this, 'Region', { value: this.region, description: 'AWS_REGION' });
    new CfnOutput(this, 'GlueDatabase', { value: 'shopstream' });
    if (firehose) new CfnOutput(this, 'FirehoseName', { value: firehose.ref, description: 'SHOPSTREAM_SINKS_FIREHOSE_DELIVERY_STREAM_NAME' });
  }
}
