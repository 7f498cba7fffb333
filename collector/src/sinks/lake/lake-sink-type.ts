import { resolve } from 'node:path';
import type { SinkType } from '../../config/sink-type.js';
import { createLakeSink } from './lake-sink.js';

/** `{ type: "lake", name?, dir?, gzipLevel? }`; `dir` defaults to the top-level `lake.dir`. */
export const lakeSinkType: SinkType = {
  type: 'lake',
  defaultZones: ['raw', 'clean', 'failed', 'audit'],
  defaultLimits: { recordsMax: 20_000, bytesMax: 32 * 1024 * 1024, recordBytesMax: 1024 * 1024, lingerMs: 1000 },
  parse(entry, context) {
    return {
      dir: resolve(entry.str('dir', context.lakeDir)),
      gzipLevel: entry.int('gzipLevel', 6, { min: 1, max: 9 }),
    };
  },
  create(config) {
    return createLakeSink({ name: config.name, dir: config.dir as string, limits: config.limits, gzipLevel: config.gzipLevel as number });
  },
};
