/**
 * The Glue catalog of the lake: one database and one table per lake table (per zone and event
 * type, the all-events tables, `failed`, `audit`), generated from the same schema catalog and
 * the same table list (`lakeTables`) the collector's lake writers and its Athena DDL use, so a
 * Glue column is exactly a Parquet column the S3 sink writes. Partition projection (`source_id`,
 * `event_type`, `dt`, `hr`) means Athena needs no crawler and no `MSCK REPAIR`.
 */
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { partitionSlug } from '@shopstream/shared';
import { athenaType, lakeTables, type LakeCatalog, type LakeTable } from '@shopstream/collector';

export type LakeFileFormat = 'parquet' | 'ndjson';

export interface LakeGlueCatalogProps {
  readonly databaseName: string;
  readonly bucketName: string;
  /** Key prefix the S3 sink writes under (its `prefix`), without slashes at the ends. */
  readonly prefix: string;
  readonly format: LakeFileFormat;
  readonly catalog: LakeCatalog;
  /** Source ids partition projection enumerates (`source=<id>`): the collectors' sources. */
  readonly sources: readonly string[];
  /** First day projection enumerates, `YYYY-MM-DD`. */
  readonly firstDay: string;
}

const PARTITION_KEYS = ['source_id', 'event_type', 'dt', 'hr'] as const;

const STORAGE: Record<LakeFileFormat, { inputFormat: string; outputFormat: string; serde: string; parameters?: Record<string, string> }> = {
  parquet: {
    inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    serde: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
  },
  ndjson: {
    inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    serde: 'org.openx.data.jsonserde.JsonSerDe',
    parameters: { 'case.insensitive': 'true', 'ignore.malformed.json': 'false', 'timestamp.formats': "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'" },
  },
};

export class LakeGlueCatalog extends Construct {
  readonly database: CfnDatabase;
  readonly tables: ReadonlyMap<string, CfnTable>;

  constructor(scope: Construct, id: string, props: LakeGlueCatalogProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: { name: props.databaseName, description: 'Shopstream lake: one table per zone and event type, partition projection' },
    });
    const root = `s3://${props.bucketName}/${props.prefix}`;
    const allTypes = props.catalog.eventTypes.map(partitionSlug);
    const tables = new Map<string, CfnTable>();
    for (const table of lakeTables(props.catalog)) {
      const eventTypes = table.slug !== '*' ? [table.slug] : table.zone === 'audit' ? ['request'] : table.zone === 'failed' ? ['batch', 'unknown', ...allTypes] : allTypes;
      const storage = STORAGE[props.format];
      const cfn = new CfnTable(this, `Table-${table.name}`, {
        catalogId: account,
        databaseName: props.databaseName,
        tableInput: {
          name: table.name,
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            classification: props.format === 'parquet' ? 'parquet' : 'json',
            EXTERNAL: 'TRUE',
            'projection.enabled': 'true',
            'projection.source_id.type': 'enum',
            'projection.source_id.values': props.sources.join(','),
            'projection.event_type.type': 'enum',
            'projection.event_type.values': eventTypes.join(','),
            'projection.dt.type': 'date',
            'projection.dt.format': 'yyyy-MM-dd',
            'projection.dt.range': `${props.firstDay},NOW`,
            'projection.hr.type': 'integer',
            'projection.hr.range': '0,23',
            'projection.hr.digits': '2',
            'storage.location.template': `${root}/${table.zone}/source=\${source_id}/event_type=\${event_type}/dt=\${dt}/hr=\${hr}/`,
          },
          partitionKeys: PARTITION_KEYS.map((name) => ({ name, type: 'string' })),
          storageDescriptor: {
            location: `${root}/${table.zone}/`,
            inputFormat: storage.inputFormat,
            outputFormat: storage.outputFormat,
            serdeInfo: { serializationLibrary: storage.serde, ...(storage.parameters ? { parameters: storage.parameters } : {}) },
            columns: glueColumns(table),
          },
        },
      });
      cfn.node.addDependency(this.database);
      tables.set(table.name, cfn);
    }
    this.tables = tables;
  }
}

/** A lake table's columns as Glue declares them: names lower-cased (Glue does), Hive types. */
export function glueColumns(table: LakeTable): { name: string; type: string }[] {
  return table.columns.map((c) => ({ name: c.name.toLowerCase(), type: athenaType(c.type) }));
}
