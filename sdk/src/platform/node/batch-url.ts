/**
 * The Node client's `endpoint` may be the collector's base URL (`http://127.0.0.1:8787`, as the
 * browser SDK and the root README take it) or the full batch URL (`…/v1/batch`): a URL whose path
 * is empty or `/` gets `/v1/batch`; any other path is used as given (a proxy may mount the
 * collector elsewhere). The query string, if any, is kept.
 */
export const BATCH_PATH = '/v1/batch';

export function batchUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return endpoint; // not a URL: the transport reports it on the first send
  }
  if (url.pathname !== '' && url.pathname !== '/') return endpoint;
  url.pathname = BATCH_PATH;
  return url.toString();
}
