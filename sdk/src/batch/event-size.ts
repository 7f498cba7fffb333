import type { EventEnvelope } from '@shopstream/shared';
import { SdkError } from '../errors.js';

/**
 * Estimated encoded size of one envelope: its JSON length. msgpack is a little smaller than
 * JSON, so this errs on the safe side for `batchBytesMax` and `bufferedBytesMax`. Stringifying
 * also proves the event is serialisable now, at `track()` time, rather than failing a whole
 * batch later. Non-ASCII text is counted per UTF-16 unit: close enough for a limit.
 */
export function estimateEnvelopeBytes(envelope: EventEnvelope): number {
  let json: string;
  try {
    json = JSON.stringify(envelope);
  } catch (error) {
    throw new SdkError('SDK_EVENT_INVALID', `event "${envelope.type}" cannot be serialised (circular or BigInt value?)`, { cause: error });
  }
  return json.length;
}
