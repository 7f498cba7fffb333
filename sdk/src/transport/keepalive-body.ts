/**
 * Chromium, Firefox and Safari cap the bodies of all `keepalive` requests in flight from one
 * page at 64 KiB (Fetch spec, "HTTP-network-or-cache fetch", inflight keepalive bytes). A beacon
 * is such a request (Beacon spec), so the cap is the same for fetch and sendBeacon: a larger
 * keepalive fetch is refused outright, and so is a beacon past it.
 */
export const KEEPALIVE_BODY_BYTES_MAX = 65_536;

/**
 * A frame as a `text/plain` Blob, the body of both browser transports: `text/plain` keeps a
 * fetch CORS-simple (no preflight round trip) and is the one type Chromium takes in a beacon
 * (a non-safelisted type makes it refuse); the collector tells a frame by its magic bytes.
 */
export const textPlainBody = (body: Uint8Array): Blob => new Blob([body as BlobPart], { type: 'text/plain' });
