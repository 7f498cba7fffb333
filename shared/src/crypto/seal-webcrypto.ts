/**
 * Sealed payloads with WebCrypto only (`globalThis.crypto.subtle`), so the same code runs in
 * browsers and in Node 20. Scheme (an ECIES variant, one fresh key per frame):
 *
 *   ephemeral = ECDH P-256 key pair made for this one payload
 *   shared    = ECDH(ephemeral.private, recipient.public)            32 bytes
 *   key       = HKDF-SHA256(ikm = shared, salt = SEAL_SALT,
 *                           info = SEAL_INFO_LABEL ‖ keyId (u32 BE) ‖ ephemeral public key (65 B raw))
 *               → AES-256-GCM key
 *   sealed    = ephemeral public key (65 B, uncompressed raw) ‖ IV (12 B random) ‖ ciphertext ‖ tag (16 B)
 *
 * The key id and the ephemeral key are bound into `info`, so a payload moved to another key id
 * or given another ephemeral key fails the GCM tag instead of decrypting to something else.
 */
import { SharedError } from '../errors.js';
import type { Opener, Sealer } from './sealer.js';

// Pure: the SDK's built dist inlines this module beside the client, and an app that never seals
// (init + track) must be able to drop these, as it drops the rest of the module.
/** HKDF salt: fixed, public, names the scheme and version. */
export const SEAL_SALT = /* @__PURE__ */ new TextEncoder().encode('shopstream/seal/v1/salt');
/** HKDF info prefix; the key id and the ephemeral public key follow it. */
export const SEAL_INFO_LABEL = /* @__PURE__ */ new TextEncoder().encode('shopstream/seal/v1');
export const SEAL_PUBLIC_KEY_BYTES = 65;
export const SEAL_IV_BYTES = 12;
export const SEAL_TAG_BYTES = 16;
/** Smallest possible sealed payload: key + IV + tag around an empty plaintext. */
export const SEAL_OVERHEAD_BYTES = SEAL_PUBLIC_KEY_BYTES + SEAL_IV_BYTES + SEAL_TAG_BYTES;

const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;

export interface SealerOptions {
  /** u32 written into the frame header; the collector picks its private key by it. */
  readonly keyId: number;
  /** The recipient's public key as JWK (`kty: EC`, `crv: P-256`)… */
  readonly publicKeyJwk?: JsonWebKey;
  /** …or as 65 raw uncompressed bytes. */
  readonly publicKeyRaw?: Uint8Array;
  /** Injected for tests and odd runtimes; defaults to `globalThis.crypto`. */
  readonly crypto?: Crypto;
}

export interface OpenerKey {
  readonly keyId: number;
  readonly privateKeyJwk: JsonWebKey;
}

export interface OpenerOptions {
  /** Every key still in use: old and new during a rotation, so both kinds of frame open. */
  readonly keys: readonly OpenerKey[];
  readonly crypto?: Crypto;
}

function checkKeyId(keyId: number): void {
  if (!Number.isInteger(keyId) || keyId < 0 || keyId > 0xffff_ffff) {
    throw new SharedError('SHARED_CRYPTO_BAD_KEY', `key id ${keyId} is not a u32`);
  }
}

function hkdfInfo(keyId: number, ephemeralPublic: Uint8Array): Uint8Array {
  const info = new Uint8Array(SEAL_INFO_LABEL.length + 4 + SEAL_PUBLIC_KEY_BYTES);
  info.set(SEAL_INFO_LABEL, 0);
  new DataView(info.buffer).setUint32(SEAL_INFO_LABEL.length, keyId, false);
  info.set(ephemeralPublic, SEAL_INFO_LABEL.length + 4);
  return info;
}

async function deriveAesKey(subtle: SubtleCrypto, privateKey: CryptoKey, publicKey: CryptoKey, keyId: number, ephemeralPublic: Uint8Array): Promise<CryptoKey> {
  const shared = await subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256);
  const ikm = await subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: SEAL_SALT as BufferSource, info: hkdfInfo(keyId, ephemeralPublic) as BufferSource },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

async function importPublic(subtle: SubtleCrypto, options: SealerOptions): Promise<CryptoKey> {
  try {
    if (options.publicKeyRaw) return await subtle.importKey('raw', options.publicKeyRaw as BufferSource, ECDH, true, []);
    if (options.publicKeyJwk) {
      const { kty, crv, x, y } = options.publicKeyJwk;
      return await subtle.importKey('jwk', { kty, crv, x, y }, ECDH, true, []);
    }
  } catch (error) {
    throw new SharedError('SHARED_CRYPTO_BAD_KEY', `public key for key id ${options.keyId} is not a P-256 ECDH key`, { cause: error });
  }
  throw new SharedError('SHARED_CRYPTO_BAD_KEY', `sealer for key id ${options.keyId} needs publicKeyJwk or publicKeyRaw`);
}

/** Seals payloads to one recipient key. The key import happens once, on first use. */
export function createSealer(options: SealerOptions): Sealer {
  checkKeyId(options.keyId);
  const crypto = options.crypto ?? globalThis.crypto;
  const subtle = crypto.subtle;
  let recipient: Promise<CryptoKey> | undefined;
  return {
    keyId: options.keyId,
    async seal(plaintext) {
      recipient ??= importPublic(subtle, options);
      const recipientKey = await recipient;
      const ephemeral = (await subtle.generateKey(ECDH, true, ['deriveBits'])) as CryptoKeyPair;
      const ephemeralPublic = new Uint8Array(await subtle.exportKey('raw', ephemeral.publicKey));
      const key = await deriveAesKey(subtle, ephemeral.privateKey, recipientKey, options.keyId, ephemeralPublic);
      const iv = crypto.getRandomValues(new Uint8Array(SEAL_IV_BYTES));
      const ciphertext = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv }, key, plaintext as BufferSource));
      const sealed = new Uint8Array(SEAL_PUBLIC_KEY_BYTES + SEAL_IV_BYTES + ciphertext.length);
      sealed.set(ephemeralPublic, 0);
      sealed.set(iv, SEAL_PUBLIC_KEY_BYTES);
      sealed.set(ciphertext, SEAL_PUBLIC_KEY_BYTES + SEAL_IV_BYTES);
      return sealed;
    },
  };
}

async function importPrivate(subtle: SubtleCrypto, key: OpenerKey): Promise<CryptoKey> {
  try {
    const { kty, crv, x, y, d } = key.privateKeyJwk;
    return await subtle.importKey('jwk', { kty, crv, x, y, d }, ECDH, false, ['deriveBits']);
  } catch (error) {
    throw new SharedError('SHARED_CRYPTO_BAD_KEY', `private key for key id ${key.keyId} is not a P-256 ECDH JWK`, { cause: error });
  }
}

/**
 * Opens payloads sealed to any of several keys, chosen by the key id in the frame header.
 * Keys are imported eagerly so a bad key fails at start (await `ready`), not on first frame.
 */
export function createOpener(options: OpenerOptions): Opener & { readonly keyIds: readonly number[]; readonly ready: Promise<void> } {
  const subtle = (options.crypto ?? globalThis.crypto).subtle;
  const keys = new Map<number, Promise<CryptoKey>>();
  for (const key of options.keys) {
    checkKeyId(key.keyId);
    if (keys.has(key.keyId)) throw new SharedError('SHARED_CRYPTO_BAD_KEY', `key id ${key.keyId} is configured twice`);
    const imported = importPrivate(subtle, key);
    imported.catch(() => undefined); // surfaced through `ready` and `open`, not as an unhandled rejection
    keys.set(key.keyId, imported);
  }
  const keyIds = [...keys.keys()];
  return {
    keyIds,
    ready: Promise.all(keys.values()).then(() => undefined),
    async open(keyId, sealed) {
      const privateKey = keys.get(keyId);
      if (!privateKey) {
        const known = keyIds.length > 0 ? keyIds.join(', ') : 'none';
        throw new SharedError('SHARED_CRYPTO_UNKNOWN_KEY', `payload is sealed with key id ${keyId}, which this collector does not hold (known key ids: ${known})`);
      }
      const key = await privateKey;
      if (sealed.length < SEAL_OVERHEAD_BYTES) {
        throw new SharedError('SHARED_CRYPTO_TAMPERED', `sealed payload of ${sealed.length} bytes is shorter than the ${SEAL_OVERHEAD_BYTES}-byte minimum`);
      }
      const ephemeralPublic = sealed.subarray(0, SEAL_PUBLIC_KEY_BYTES);
      const iv = sealed.subarray(SEAL_PUBLIC_KEY_BYTES, SEAL_PUBLIC_KEY_BYTES + SEAL_IV_BYTES);
      const ciphertext = sealed.subarray(SEAL_PUBLIC_KEY_BYTES + SEAL_IV_BYTES);
      try {
        const ephemeral = await subtle.importKey('raw', ephemeralPublic as BufferSource, ECDH, false, []);
        const aes = await deriveAesKey(subtle, key, ephemeral, keyId, ephemeralPublic);
        return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: iv as BufferSource }, aes, ciphertext as BufferSource));
      } catch (error) {
        throw new SharedError('SHARED_CRYPTO_TAMPERED', `sealed payload for key id ${keyId} failed authentication: it was altered or sealed to another key`, { cause: error });
      }
    },
  };
}
