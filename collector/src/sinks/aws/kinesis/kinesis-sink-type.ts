import { defineSinkType } from '../../sink-type.js';
import type { AwsClientOptions } from '../clients.js';
import { changedLimits } from '../sink-limits.js';
import { pinoSinkLog, readAwsClientOptions, readBoolean } from '../sink-type-common.js';
import { KINESIS_CALL_BYTES_MAX, KINESIS_CALL_ENTRIES_MAX, KINESIS_RECORD_BYTES_MAX } from './kinesis-limits.js';
import type { PartitionKeyField } from './partition-key.js';

const defaultLimits = { recordsMax: KINESIS_CALL_ENTRIES_MAX, bytesMax: KINESIS_CALL_BYTES_MAX, recordBytesMax: KINESIS_RECORD_BYTES_MAX, lingerMs: 500 };

/** `{ type: "kinesis", streamName, region?, endpoint?, partitionKey?: eventId|sessionId|userId, aggregation?: false }` */
export const kinesisSinkType = defineSinkType({
  type: 'kinesis',
  defaultZones: ['clean'],
  defaultLimits,
  parse(entry) {
    return {
      client: readAwsClientOptions(entry),
      streamName: entry.str('streamName', undefined, { re: /^[a-zA-Z0-9_.-]{1,128}$/, says: 'a Kinesis stream name (1-128 of a-z A-Z 0-9 _ . -)' }),
      partitionKey: entry.oneOf<PartitionKeyField>('partitionKey', 'eventId', ['eventId', 'sessionId', 'userId']),
      aggregation: readBoolean(entry, 'aggregation', false),
    };
  },
  // The SDK loads only when a Kinesis sink is built (in the delivery worker): start-up stays fast.
  async create(config, deps) {
    const [{ createKinesisClient }, { createKinesisSink }] = await Promise.all([import('../clients.js'), import('./kinesis-sink.js')]);
    return createKinesisSink({
      name: config.name,
      client: createKinesisClient(config.client),
      streamName: config.streamName,
      partitionKey: config.partitionKey,
      aggregation: config.aggregation,
      limits: changedLimits(config.limits, defaultLimits),
      log: pinoSinkLog(deps.log),
    });
  },
});
