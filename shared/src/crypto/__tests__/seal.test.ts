import { describe, expect, it } from 'vitest';
import {
  CodecId,
  createOpener,
  createSealer,
  decodeFrame,
  encodeFrame,
  fromBase64url,
  generateSealingKeyPair,
  identityCodec,
  isSharedError,
  msgpackEncoding,
  sealingKeyPairJson,
  SEAL_OVERHEAD_BYTES,
  type EventEnvelope,
} from '../../index.js';

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (isSharedError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
}

const plaintext = new TextEncoder().encode('{"type":"Order Completed","properties":{"total":42}}');

describe('sealed payloads (ECDH P-256 + HKDF-SHA256 + AES-256-GCM)', () => {
  it('round-trips through a JWK sealer and through a raw-key sealer', async () => {
    const pair = await generateSealingKeyPair(7);
    const opener = createOpener({ keys: [{ keyId: 7, privateKeyJwk: pair.privateKeyJwk }] });
    await opener.ready;
    for (const sealer of [
      createSealer({ keyId: 7, publicKeyJwk: pair.publicKeyJwk }),
      createSealer({ keyId: 7, publicKeyRaw: fromBase64url(pair.publicKeyRawBase64url) }),
    ]) {
      const sealed = await sealer.seal(plaintext);
      expect(sealed.length).toBe(plaintext.length + SEAL_OVERHEAD_BYTES);
      expect(sealed[0]).toBe(0x04); // uncompressed P-256 point
      expect(new TextDecoder().decode(await opener.open(7, sealed))).toBe(new TextDecoder().decode(plaintext));
    }
  });

  it('uses a fresh ephemeral key and IV per payload', async () => {
    const pair = await generateSealingKeyPair(1);
    const sealer = createSealer({ keyId: 1, publicKeyJwk: pair.publicKeyJwk });
    const [a, b] = await Promise.all([sealer.seal(plaintext), sealer.seal(plaintext)]);
    expect(Buffer.from(a!).equals(Buffer.from(b!))).toBe(false);
    expect(Buffer.from(a!.subarray(0, 65)).equals(Buffer.from(b!.subarray(0, 65)))).toBe(false);
  });

  it('rejects a flipped bit anywhere (key, IV, ciphertext, tag) as SHARED_CRYPTO_TAMPERED', async () => {
    const pair = await generateSealingKeyPair(3);
    const opener = createOpener({ keys: [{ keyId: 3, privateKeyJwk: pair.privateKeyJwk }] });
    const sealed = await createSealer({ keyId: 3, publicKeyJwk: pair.publicKeyJwk }).seal(plaintext);
    for (const offset of [10, 66, 80, sealed.length - 1]) {
      const bad = sealed.slice();
      bad[offset]! ^= 0x01;
      expect(await codeOf(opener.open(3, bad))).toMatch(/^SHARED_CRYPTO_TAMPERED: sealed payload for key id 3 failed authentication/);
    }
    expect(await codeOf(opener.open(3, sealed.subarray(0, 40)))).toMatch(/^SHARED_CRYPTO_TAMPERED: .*shorter than the 93-byte minimum/);
  });

  it('binds the key id: a payload relabelled to another held key id fails, an unknown id names itself', async () => {
    const one = await generateSealingKeyPair(1);
    const two = await generateSealingKeyPair(2);
    const opener = createOpener({ keys: [{ keyId: 1, privateKeyJwk: one.privateKeyJwk }, { keyId: 2, privateKeyJwk: two.privateKeyJwk }] });
    const sealed = await createSealer({ keyId: 1, publicKeyJwk: one.publicKeyJwk }).seal(plaintext);
    expect(await codeOf(opener.open(2, sealed))).toMatch(/^SHARED_CRYPTO_TAMPERED/);
    expect(await codeOf(opener.open(9, sealed))).toBe(
      'SHARED_CRYPTO_UNKNOWN_KEY: payload is sealed with key id 9, which this collector does not hold (known key ids: 1, 2)',
    );
  });

  it('opens frames sealed with the old and with the new key during a rotation', async () => {
    const oldKey = await generateSealingKeyPair(1);
    const newKey = await generateSealingKeyPair(2);
    const opener = createOpener({ keys: [{ keyId: 1, privateKeyJwk: oldKey.privateKeyJwk }, { keyId: 2, privateKeyJwk: newKey.privateKeyJwk }] });
    const envelopes: EventEnvelope[] = [{ id: '0190a0b0-0000-7000-8000-000000000001', type: 'Cart Viewed', timestamp: '2026-11-23T10:00:00.000Z' }];
    for (const pair of [oldKey, newKey]) {
      const frame = await encodeFrame(envelopes, { codec: identityCodec, encoding: msgpackEncoding, sealer: createSealer({ keyId: pair.keyId, publicKeyJwk: pair.publicKeyJwk }) });
      const decoded = await decodeFrame(frame, { codecs: { [CodecId.identity]: identityCodec }, encodings: { 0: msgpackEncoding }, opener, maxDecodedBytes: 1 << 16 });
      expect(decoded).toEqual(envelopes);
    }
  });

  it('reports bad key material as SHARED_CRYPTO_BAD_KEY', async () => {
    const opener = createOpener({ keys: [{ keyId: 4, privateKeyJwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', d: 'AA' } }] });
    expect(await codeOf(opener.ready)).toMatch(/^SHARED_CRYPTO_BAD_KEY: private key for key id 4/);
    expect(await codeOf(createSealer({ keyId: 4, publicKeyRaw: new Uint8Array(65) }).seal(plaintext))).toMatch(/^SHARED_CRYPTO_BAD_KEY/);
    expect(await codeOf(generateSealingKeyPair(0))).toMatch(/^SHARED_CRYPTO_BAD_KEY: key id 0 must be/);
  });

  it('prints a key pair as JSON shaped for the SDK and the collector configs', async () => {
    const parsed = JSON.parse(await sealingKeyPairJson(5));
    expect(parsed.sdk.keyId).toBe(5);
    expect(parsed.sdk.publicKeyJwk.d).toBeUndefined();
    expect(parsed.collector.privateKeyJwk.d).toEqual(expect.any(String));
    const opener = createOpener({ keys: [parsed.collector] });
    const sealed = await createSealer(parsed.sdk).seal(plaintext);
    expect(await opener.open(5, sealed)).toEqual(plaintext);
  });
});
