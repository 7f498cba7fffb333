/**
 * One `Sink.write` bounded by `timeoutMs` and by `stop`; a throw becomes `retryable`. A sink
 * that ignores its signal must not hold up a timeout or a shutdown, so the wait is abandoned.
 */
import type { Sink, SinkOutcome, SinkRecord } from '../sinks/sink.js';

export async function writeWithDeadline(sink: Sink, records: readonly SinkRecord[], stop: AbortSignal, timeoutMs: number): Promise<SinkOutcome> {
  const controller = new AbortController();
  const onStop = () => controller.abort(stop.reason);
  stop.addEventListener('abort', onStop, { once: true });
  const timer = setTimeout(() => controller.abort(new Error(`write timed out after ${timeoutMs} ms`)), timeoutMs);
  const abandoned = new Promise<SinkOutcome>((resolve) =>
    controller.signal.addEventListener('abort', () => resolve({ status: 'retryable', error: controller.signal.reason as Error }), { once: true }),
  );
  try {
    return await Promise.race([sink.write(records, controller.signal), abandoned]);
  } catch (error) {
    return { status: 'retryable', error: error as Error };
  } finally {
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
}
