/**
 * Reads a request body with a hard limit, checked while streaming: a body past `bodyBytesMax`
 * is refused (413 naming the limit) as soon as the limit is crossed, not after buffering it.
 *
 * A refusal must reach the client: a server that closes while the client is still sending makes
 * the client's TCP stack see a reset, and fetch() reports EPIPE/ECONNRESET instead of the 413.
 * So the rest of a refused body is read and thrown away (`discardBody`), up to
 * `DISCARD_BYTES_MAX`, before the answer goes out; past that the connection is cut.
 */
import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { CollectorError } from '../errors.js';

/** What a refused request may still send before the answer goes out (~30 ms on loopback). */
export const DISCARD_BYTES_MAX = 32 * 1024 * 1024;

export function readBody(req: IncomingMessage, bodyBytesMax: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > bodyBytesMax) return discardBody(req).then(() => Promise.reject(tooLarge(bodyBytesMax, `declares ${declared} bytes`)));
  // Plain listeners rather than `for await`: the async iterator costs a promise per chunk and
  // several objects per request, on the path every batch takes.
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const done = (error: CollectorError | undefined): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (!error) {
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
        return;
      }
      if (error.code === 'COLLECTOR_LIMIT_BODY_BYTES') {
        chunks.length = 0;
        discardBody(req).then(() => reject(error), () => reject(error));
        return;
      }
      if (!req.destroyed && !req.readableEnded) req.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > bodyBytesMax) return done(tooLarge(bodyBytesMax, 'is larger'));
      chunks.push(chunk);
    };
    const onEnd = (): void => done(undefined);
    const onError = (error: Error): void => done(aborted(error));
    const onClose = (): void => done(aborted(new Error('the request closed before its body ended')));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * Reads and drops what is left of a request body, up to `DISCARD_BYTES_MAX`; resolves when the
 * body ended, was cut off, or ran past the bound (then the caller's answer closes the connection).
 */
/** Requests whose rest was read away once already: the bound holds per request, not per call. */
const drained = new WeakSet<IncomingMessage>();

export function discardBody(req: IncomingMessage, bytesMax = DISCARD_BYTES_MAX): Promise<void> {
  if (req.complete || req.destroyed || req.readableEnded || drained.has(req)) return Promise.resolve();
  drained.add(req);
  return new Promise<void>((resolve) => {
    let seen = 0;
    const finish = (): void => {
      req.off('data', onData);
      req.off('end', finish);
      req.off('error', finish);
      req.off('close', finish);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > bytesMax) {
        req.pause();
        finish();
      }
    };
    req.on('data', onData);
    req.on('end', finish);
    req.on('error', finish);
    req.on('close', finish);
    req.resume();
  });
}

function aborted(cause: Error): CollectorError {
  return new CollectorError('COLLECTOR_BODY_ABORTED', 'The request body was cut off before it ended; nothing was accepted, please retry.', { status: 400, cause });
}

function tooLarge(bodyBytesMax: number, what: string): CollectorError {
  return new CollectorError('COLLECTOR_LIMIT_BODY_BYTES', `The request body ${what} than the ${bodyBytesMax}-byte limit (limits.bodyBytesMax); send smaller batches.`, { status: 413 });
}

/** Undoes `Content-Encoding` (identity or gzip) with the output bounded by `decodedBytesMax`. */
/** True when `Content-Encoding` (absent, empty or `identity`) leaves the body as sent. */
export function isIdentityEncoding(encoding: string | undefined): boolean {
  const name = (encoding ?? '').trim().toLowerCase();
  return name === '' || name === 'identity';
}

export async function decodeContentEncoding(body: Buffer, encoding: string | undefined, decodedBytesMax: number): Promise<Buffer> {
  if (isIdentityEncoding(encoding)) return body;
  const name = encoding!.trim().toLowerCase();
  if (name !== 'gzip' && name !== 'x-gzip') {
    throw new CollectorError('COLLECTOR_UNSUPPORTED_ENCODING', `Content-Encoding "${name}" is not supported; send gzip or no encoding.`, { status: 415 });
  }
  try {
    return await new Promise<Buffer>((resolve, reject) => gunzip(body, { maxOutputLength: decodedBytesMax }, (error, out) => (error ? reject(error) : resolve(out))));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new CollectorError('COLLECTOR_LIMIT_DECODED_BYTES', `The gzip body inflates past the ${decodedBytesMax}-byte limit (limits.decodedBytesMax); send smaller batches.`, { status: 413, cause: error });
    }
    throw new CollectorError('COLLECTOR_BAD_GZIP', `The body says Content-Encoding gzip but is not valid gzip (${(error as Error).message}).`, { status: 400, cause: error });
  }
}
