import type { Outcome } from '@shopstream/shared';

/**
 * A send's result as the SDK's delivery sees it: shared's `Outcome` (success, retryable,
 * failure) plus `paused`: the collector refused the source's credentials (401, 403: a wrong or
 * rotated write key or secret, or a clock outside the signature window). A paused batch is never
 * dropped: it stays queued, delivery waits, `onError` gets `SDK_UNAUTHORIZED`, and a fixed
 * credential (or the collector's fixed config) lets the same batch through. Retry wrappers
 * return it at once: resending the same credentials cannot help.
 */
export type DeliveryOutcome = Outcome | { readonly status: 'paused'; readonly error: Error };
