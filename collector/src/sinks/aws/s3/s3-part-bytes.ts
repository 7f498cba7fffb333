/** S3's smallest multipart part (except the last); apart from the sink so the config reader never loads the SDK. */
export const S3_PART_BYTES_MIN = 5 * 1024 * 1024;
