/**
 * The two keyed transforms of the PII stage, both deterministic so a replayed WAL record yields
 * byte-identical output (processing is a pure function of the record):
 *
 * - `pseudonym(value)`: `p1_` + base64url(HMAC-SHA256(hashKey, normalised value)). Same input →
 *   same token, so joins and distinct counts still work; without the key it cannot be reversed
 *   or confirmed by guessing. Strings are trimmed and lower-cased first (`A@x.com ` = `a@x.com`).
 * - `encrypt(value, context)`: AES-256-GCM with a synthetic IV = HMAC-SHA256(ivKey, context ‖ value)
 *   truncated to 12 bytes, so the same field of the same event always encrypts the same way, and
 *   an IV repeats only for an identical (event, field, value): no GCM nonce reuse across values.
 *   Output `e1.<keyId>.<iv b64url>.<ciphertext‖tag b64url>`: the key id is recorded, so keys
 *   rotate (keep old keys in `decryptKeys` for reading back).
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';

export interface PiiKeyMaterial {
  /** HMAC key for pseudonyms, at least 32 bytes. Changing it changes every token. */
  readonly hashKey: Uint8Array;
  /** The managed key that encrypts new values. */
  readonly encryptKey: { readonly keyId: string; readonly key: Uint8Array };
  /** Older keys, for `decrypt` only. */
  readonly decryptKeys?: readonly { readonly keyId: string; readonly key: Uint8Array }[];
}

export interface FieldCipher {
  pseudonym(value: unknown): string;
  encrypt(value: unknown, context: string): string;
  /** For operators with the key (support tooling, erasure checks): the JSON value back. */
  decrypt(token: string): unknown;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** ~150 B per entry: 10k entries ≈ 1.5 MB; oldest entry evicted first. */
const PSEUDONYM_CACHE_ENTRIES_MAX = 10_000;

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function canonical(value: unknown): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : JSON.stringify(value) ?? 'null';
}

export function createFieldCipher(keys: PiiKeyMaterial): FieldCipher {
  if (keys.hashKey.length < 32) throw new Error('PII hash key must be at least 32 bytes');
  const all = [keys.encryptKey, ...(keys.decryptKeys ?? [])];
  for (const { keyId, key } of all) {
    if (!KEY_ID.test(keyId)) throw new Error(`PII key id "${keyId}" must be 1 to 64 letters, digits, - or _`);
    if (key.length !== 32) throw new Error(`PII encryption key "${keyId}" must be 32 bytes (AES-256), got ${key.length}`);
  }
  const byId = new Map(all.map(({ keyId, key }) => [keyId, key]));
  const { keyId, key } = keys.encryptKey;
  // Separate sub-key for IVs, so the IV never leaks anything keyed by the encryption key itself.
  const ivKey = createHmac('sha256', key).update('shopstream/pii/iv/v1').digest();

  // The same IPs and emails recur across a shop's events: a bounded cache spares an HMAC each.
  const tokens = new Map<string, string>();
  return {
    pseudonym(value) {
      const text = canonical(value);
      let token = tokens.get(text);
      if (token === undefined) {
        token = `p1_${b64url(createHmac('sha256', keys.hashKey).update(text).digest())}`;
        if (tokens.size >= PSEUDONYM_CACHE_ENTRIES_MAX) tokens.delete(tokens.keys().next().value!);
        tokens.set(text, token);
      }
      return token;
    },
    encrypt(value, context) {
      const plaintext = Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
      const iv = createHmac('sha256', ivKey).update(context).update('\0').update(plaintext).digest().subarray(0, 12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return `e1.${keyId}.${b64url(iv)}.${b64url(sealed)}`;
    },
    decrypt(token) {
      const [version, id, ivText, sealedText] = token.split('.');
      const decryptKey = id === undefined ? undefined : byId.get(id);
      if (version !== 'e1' || !decryptKey || !ivText || !sealedText) throw new Error(`not an e1 token of a known PII key: ${token.slice(0, 40)}`);
      const sealed = Buffer.from(sealedText, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', decryptKey, Buffer.from(ivText, 'base64url'));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      const plaintext = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
      return JSON.parse(plaintext.toString('utf8'));
    },
  };
}
