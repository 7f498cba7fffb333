/**
 * Firehose PutRecordBatch quotas, apart from the sink so reading the config never loads the AWS SDK.
 */
const KIB = 1024;
/** PutRecordBatch: records per call. */
export const FIREHOSE_CALL_ENTRIES_MAX = 500;
/** PutRecordBatch: bytes of record data per call. */
export const FIREHOSE_CALL_BYTES_MAX = 4 * KIB * KIB;
/** One record, before base64. */
export const FIREHOSE_RECORD_BYTES_MAX = 1_000 * KIB;
