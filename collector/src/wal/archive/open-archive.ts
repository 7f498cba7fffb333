/**
 * The store and key base of one node's archive, made at the edge (both threads call this). Apart
 * from ./archive-config.ts so reading the config never loads the AWS SDK.
 */
import { createS3Client } from '../../sinks/aws/clients.js';
import type { WalArchiveConfig } from './archive-config.js';
import { archiveBase } from './archive-layout.js';
import { s3ArchiveStore, type ArchiveStore } from './archive-store.js';

export function openArchive(config: WalArchiveConfig, nodeId: string): { store: ArchiveStore; base: string } {
  return { store: s3ArchiveStore(createS3Client(config.client), config.bucket), base: archiveBase(config.prefix, nodeId) };
}
