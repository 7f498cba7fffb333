import { expect } from 'vitest';

/** Runs `fn`, expects a config refusal, and returns its one-line message. */
export function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect((error as { code?: string }).code).toBe('COLLECTOR_CONFIG_INVALID');
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
}
