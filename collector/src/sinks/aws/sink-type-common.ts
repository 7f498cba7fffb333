/**
 * What the kinesis, firehose and s3 entries of the collector config share: where the service is
 * (`region`, `endpoint` override for local servers; credentials always come from the SDK's
 * default provider chain, never from the config file) and how sink log lines reach pino.
 */
import type { Logger } from 'pino';
import type { ConfigReader } from '../../config/config-reader.js';
import { ConfigError } from '../../config/config-reader.js';
import type { AwsClientOptions } from './clients.js';
import type { SinkLog } from './interval-log.js';

export function readAwsClientOptions(entry: ConfigReader): AwsClientOptions {
  const region = entry.optionalStr('region');
  const endpoint = entry.optionalStr('endpoint');
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) throw new ConfigError(entry.key('endpoint'), 'must be an http(s) URL', endpoint);
  return { ...(region === undefined ? {} : { region }), ...(endpoint === undefined ? {} : { endpoint }) };
}

export function readBoolean(entry: ConfigReader, name: string, fallback: boolean): boolean {
  return entry.bool(name, fallback);
}

/** Sink log lines are warnings: they only ever report throttling and failures. */
export function pinoSinkLog(log: Logger): SinkLog {
  return (event, fields) => log.warn({ event, ...fields }, event);
}
