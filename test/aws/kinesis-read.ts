/** Reads every record of every shard of a stream from the start (TRIM_HORIZON) until caught up; shards in parallel. */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';

export async function readWholeStream(client: KinesisClient, streamName: string): Promise<{ shardId: string; record: _Record }[]> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const perShard = await Promise.all(shards.map(async (shard) => {
    const out: { shardId: string; record: _Record }[] = [];
    const shardId = shard.ShardId!;
    let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator !== undefined) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) out.push({ shardId, record });
      if ((page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
      iterator = page.NextShardIterator;
    }
    return out;
  }));
  return perShard.flat();
}
