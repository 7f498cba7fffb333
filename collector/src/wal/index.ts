export type { Lsn, Wal, WalRecord, WriteAheadLog, WalStats, FsyncPolicy, FsyncInfo, RecoveryReport, CorruptRange, ReleaseResult } from './wal.js';
export { openWal, type OpenedWal } from './open-wal.js';
export type { WalOptions } from './options.js';
export { openCursorStore, type CursorState, type CursorStore } from './cursor-store.js';
export { WalError, isWalError, type WalErrorCode } from './errors.js';
export { nodeWalFs, type WalFs, type WalFile } from './wal-fs.js';
export { segmentFileName, parseSegmentFileName } from './segment-files.js';
export { verifyWal, repairWal, formatVerifyReport, type VerifyReport, type VerifyOptions, type SegmentReport } from './verify.js';
