/**
 * Kinesis PutRecords quotas, apart from the sink so reading the config (and starting a collector
 * that has no Kinesis sink) never loads the AWS SDK.
 */
const MIB = 1024 * 1024;
/** PutRecords: entries per call. */
export const KINESIS_CALL_ENTRIES_MAX = 500;
/** PutRecords: request bytes (data + partition keys) per call. */
export const KINESIS_CALL_BYTES_MAX = 5 * MIB;
/** One record: data + partition key. */
export const KINESIS_RECORD_BYTES_MAX = 1 * MIB;
