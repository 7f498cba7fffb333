/**
 * Gzip for sinks, on the thread that asks when that thread is a worker. The libuv pool (4
 * threads) is shared by every thread of the process and runs the WAL's fdatasync: on the main
 * thread async gzip keeps the event loop free, but in the delivery worker it would queue the
 * acknowledgement path's fsync behind compression jobs, while the worker's own thread is there
 * to do exactly this work.
 */
import { promisify } from 'node:util';
import { isMainThread } from 'node:worker_threads';
import { gzip, gzipSync } from 'node:zlib';

const gzipAsync = promisify(gzip);

export function gzipOnThread(data: Buffer, level: number): Promise<Buffer> {
  if (isMainThread) return gzipAsync(data, { level });
  try {
    return Promise.resolve(gzipSync(data, { level }));
  } catch (error) {
    return Promise.reject(error);
  }
}
