/**
 * Key generation for operators. A sealing key pair is a P-256 ECDH pair with a u32 key id:
 * the public half goes into the SDK config (`createSealer`), the private half into the
 * collector's `decryption.keys` (`createOpener`). Rotate by adding a new pair with a new id,
 * shipping SDKs with the new public key, and removing the old private key once no client
 * still sends it.
 */
import { SharedError } from '../errors.js';

export interface SealingKeyPair {
  readonly keyId: number;
  /** For SDK configs: `{ kty, crv, x, y }`. */
  readonly publicKeyJwk: JsonWebKey;
  /** The same public key as 65 raw bytes, base64url: short enough for an env var. */
  readonly publicKeyRawBase64url: string;
  /** For the collector only: `{ kty, crv, x, y, d }`. Keep it secret. */
  readonly privateKeyJwk: JsonWebKey;
}

export function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export async function generateSealingKeyPair(keyId: number, crypto: Crypto = globalThis.crypto): Promise<SealingKeyPair> {
  if (!Number.isInteger(keyId) || keyId < 1 || keyId > 0xffff_ffff) {
    // 0 means "not sealed" in the frame header, so a real key never uses it.
    throw new SharedError('SHARED_CRYPTO_BAD_KEY', `key id ${keyId} must be an integer from 1 to 4294967295`);
  }
  const pair = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair;
  const publicJwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return {
    keyId,
    publicKeyJwk: { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y },
    publicKeyRawBase64url: toBase64url(raw),
    privateKeyJwk: { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, y: privateJwk.y, d: privateJwk.d },
  };
}

/**
 * CLI-friendly: a JSON text with the two halves already in the shape each side's config wants,
 * e.g. `shopstream-collector keygen --key-id 2 > key-2.json`.
 */
export async function sealingKeyPairJson(keyId: number, crypto: Crypto = globalThis.crypto): Promise<string> {
  const pair = await generateSealingKeyPair(keyId, crypto);
  const out = {
    sdk: { keyId: pair.keyId, publicKeyJwk: pair.publicKeyJwk, publicKeyRawBase64url: pair.publicKeyRawBase64url },
    collector: { keyId: pair.keyId, privateKeyJwk: pair.privateKeyJwk },
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
