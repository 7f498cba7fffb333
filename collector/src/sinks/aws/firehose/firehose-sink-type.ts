import { defineSinkType } from '../../sink-type.js';
import type { AwsClientOptions } from '../clients.js';
import { changedLimits } from '../sink-limits.js';
import { pinoSinkLog, readAwsClientOptions } from '../sink-type-common.js';
import { FIREHOSE_CALL_BYTES_MAX, FIREHOSE_CALL_ENTRIES_MAX, FIREHOSE_RECORD_BYTES_MAX } from './firehose-limits.js';

const defaultLimits = { recordsMax: FIREHOSE_CALL_ENTRIES_MAX, bytesMax: FIREHOSE_CALL_BYTES_MAX, recordBytesMax: FIREHOSE_RECORD_BYTES_MAX, lingerMs: 500 };

/** `{ type: "firehose", deliveryStreamName, region?, endpoint? }` */
export const firehoseSinkType = defineSinkType({
  type: 'firehose',
  defaultZones: ['clean'],
  defaultLimits,
  parse(entry) {
    return {
      client: readAwsClientOptions(entry),
      deliveryStreamName: entry.str('deliveryStreamName', undefined, { re: /^[a-zA-Z0-9_.-]{1,64}$/, says: 'a Firehose stream name (1-64 of a-z A-Z 0-9 _ . -)' }),
    };
  },
  // The SDK loads only when a Firehose sink is built (in the delivery worker).
  async create(config, deps) {
    const [{ createFirehoseClient }, { createFirehoseSink }] = await Promise.all([import('../clients.js'), import('./firehose-sink.js')]);
    return createFirehoseSink({
      name: config.name,
      client: createFirehoseClient(config.client),
      deliveryStreamName: config.deliveryStreamName,
      limits: changedLimits(config.limits, defaultLimits),
      log: pinoSinkLog(deps.log),
    });
  },
});
