/**
 * Object keys of the WAL archive (../README.md "Archive: Layout"):
 * `<prefix>/<nodeId>/{node-id, wal/<segment>/<from>-<to>.part, cursors/<name>.json}`.
 */
import { WalError } from '../errors.js';
import { parseSegmentFileName } from '../segment-files.js';

/** Where one node's archive lives. */
export interface ArchiveLocation {
  readonly bucket: string;
  /** `<prefix>/<nodeId>` without slashes at either end. */
  readonly base: string;
}

/** The shipper's own cursor: not a sink name (those start with a letter or digit). */
export const ARCHIVE_CURSOR_NAME = '_archive';

const OFFSET_DIGITS = 20;
const PART = /^(\d{20}\.wal)\/(\d{20})-(\d{20})\.part$/;

export function archiveBase(prefix: string, nodeId: string): string {
  return [prefix.replace(/^\/+|\/+$/g, ''), nodeId].filter((part) => part !== '').join('/');
}

export const nodeIdKey = (base: string): string => `${base}/node-id`;
export const walPrefix = (base: string): string => `${base}/wal/`;
export const cursorPrefix = (base: string): string => `${base}/cursors/`;
export const cursorKey = (base: string, name: string): string => `${cursorPrefix(base)}${name}.json`;

const pad = (offset: number): string => String(offset).padStart(OFFSET_DIGITS, '0');

export function partKey(base: string, segment: string, fromOffset: number, toOffset: number): string {
  return `${walPrefix(base)}${segment}/${pad(fromOffset)}-${pad(toOffset)}.part`;
}

/** One archived range of a segment, as its key names it. */
export interface PartRef {
  readonly key: string;
  readonly segment: string;
  readonly firstLsn: number;
  readonly fromOffset: number;
  readonly toOffset: number;
}

/** Parses a key under `walPrefix(base)`; `undefined` for anything else. */
export function parsePartKey(base: string, key: string): PartRef | undefined {
  const prefix = walPrefix(base);
  if (!key.startsWith(prefix)) return undefined;
  const match = PART.exec(key.slice(prefix.length));
  if (!match) return undefined;
  const firstLsn = parseSegmentFileName(match[1]!);
  const fromOffset = Number(match[2]);
  const toOffset = Number(match[3]);
  if (firstLsn === undefined || !Number.isSafeInteger(toOffset) || fromOffset >= toOffset) return undefined;
  return { key, segment: match[1]!, firstLsn, fromOffset, toOffset };
}

/** `s3://bucket/prefix/nodeId` → bucket and base (the restore command's `--from`). */
export function parseArchiveUrl(url: string): ArchiveLocation {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+?)\/*$/.exec(url);
  if (!match) throw new WalError('COLLECTOR_WAL_CONFIG_INVALID', `"${url}" is not an archive URL: expected s3://<bucket>/<prefix>/<nodeId>.`);
  return { bucket: match[1]!, base: match[2]!.replace(/^\/+/, '') };
}
