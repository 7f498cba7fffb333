/**
 * Reads a request body with a hard limit, checked while streaming: a body past `bodyBytesMax`
 * is refused (413 naming the limit) as soon as the limit is crossed, not after buffering it.
 */
import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { CollectorError } from '../errors.js';

export async function readBody(req: IncomingMessage, bodyBytesMax: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > bodyBytesMax) throw tooLarge(bodyBytesMax, `declares ${declared} bytes`);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of req) {
      total += (chunk as Buffer).length;
      if (total > bodyBytesMax) throw tooLarge(bodyBytesMax, 'is larger');
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof CollectorError) throw error;
    throw new CollectorError('COLLECTOR_BODY_ABORTED', 'The request body was cut off before it ended; nothing was accepted, please retry.', { status: 400, cause: error });
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

function tooLarge(bodyBytesMax: number, what: string): CollectorError {
  return new CollectorError('COLLECTOR_LIMIT_BODY_BYTES', `The request body ${what} than the ${bodyBytesMax}-byte limit (limits.bodyBytesMax); send smaller batches.`, { status: 413 });
}

/** Undoes `Content-Encoding` (identity or gzip) with the output bounded by `decodedBytesMax`. */
export async function decodeContentEncoding(body: Buffer, encoding: string | undefined, decodedBytesMax: number): Promise<Buffer> {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  if (name === 'identity' || name === '') return body;
  if (name !== 'gzip' && name !== 'x-gzip') {
    throw new CollectorError('COLLECTOR_UNSUPPORTED_ENCODING', `Content-Encoding "${name}" is not supported; send gzip or no encoding.`, { status: 415 });
  }
  try {
    return await new Promise<Buffer>((resolve, reject) => gunzip(body, { maxOutputLength: decodedBytesMax }, (error, out) => (error ? reject(error) : resolve(out))));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new CollectorError('COLLECTOR_LIMIT_DECODED_BYTES', `The gzip body inflates past the ${decodedBytesMax}-byte limit (limits.decodedBytesMax); send smaller batches.`, { status: 413, cause: error });
    }
    throw new CollectorError('COLLECTOR_UNSUPPORTED_ENCODING', 'The body says Content-Encoding gzip but is not valid gzip.', { status: 400, cause: error });
  }
}
