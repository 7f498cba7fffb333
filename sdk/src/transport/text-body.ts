/**
 * A frame as a `text/plain` Blob, the body of both browser transports: `text/plain` keeps a
 * fetch CORS-simple (no preflight round trip) and is the one type Chromium takes in a beacon
 * (a non-safelisted type makes it refuse); the collector tells a frame by its magic bytes.
 */
export const textPlainBody = (body: Uint8Array): Blob => new Blob([body as BlobPart], { type: 'text/plain' });
