// `delivery.deadLetterSink`: dead letters go through another sink (S3 in a fleet), one instance
// per failing sink, as failed-zone rows that say what went wrong; the config names only an s3 or
// lake sink.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/config.js';
import { sinkTypes } from '../../sinks/built-in-sink-types.js';
import { createSinkDeadLetter } from '../dead-letter.js';
import type { Sink, SinkRecord } from '../../sinks/sink.js';

const record = (lsn: number): SinkRecord => ({ lsn, index: 0, zone: 'clean', source: 'web', eventType: 'Order Completed', eventId: `e${lsn}`, json: `{"id":"e${lsn}"}` }) as SinkRecord;

describe('dead letters through a sink', () => {
  it('builds one target sink per failing sink and writes failed-zone rows naming the sink and reason', async () => {
    const built: string[] = [];
    const written: { target: string; records: readonly SinkRecord[] }[] = [];
    const deadLetter = createSinkDeadLetter(async (failing) => {
      built.push(failing);
      const sink: Sink = {
        name: `dlq-${failing}`,
        limits: { recordsMax: 1000, bytesMax: 1 << 20, recordBytesMax: 1 << 20, lingerMs: 0 },
        write: async (records: readonly SinkRecord[]) => {
          written.push({ target: failing, records });
          return { status: 'success' };
        },
      } as unknown as Sink;
      return sink;
    });
    expect(await deadLetter.write('kinesis', [record(1), record(2)], { code: 'COLLECTOR_SINK_REFUSED', message: 'stream gone' })).toEqual({ status: 'success' });
    await deadLetter.write('kinesis', [record(3)], { code: 'COLLECTOR_SINK_REFUSED', message: 'stream gone' });
    await deadLetter.write('firehose', [record(4)], { code: 'X', message: 'y' });
    expect(built).toEqual(['kinesis', 'firehose']);
    const first = written[0]!.records[0]!;
    expect(first.zone).toBe('failed');
    expect(JSON.parse(first.json)).toEqual({ deadLetter: { sink: 'kinesis', code: 'COLLECTOR_SINK_REFUSED', message: 'stream gone' }, zone: 'clean', record: { id: 'e1' } });
  });

  it('config: deadLetterSink must name an s3 or lake sink', () => {
    const sinks = [{ type: 'kinesis', name: 'kinesis', streamName: 'events' }, { type: 's3', name: 's3', bucket: 'lake-bucket' }];
    expect(parseConfig({ sinks, delivery: { deadLetterSink: 's3' } }, sinkTypes).delivery.deadLetterSink).toBe('s3');
    expect(() => parseConfig({ sinks, delivery: { deadLetterSink: 'kinesis' } }, sinkTypes)).toThrow('config: delivery.deadLetterSink must name a configured s3 or lake sink (s3), got "kinesis"');
    expect(parseConfig({ sinks }, sinkTypes, { SHOPSTREAM_DELIVERY_DEAD_LETTER_SINK: 's3' }).delivery.deadLetterSink).toBe('s3');
  });
});
