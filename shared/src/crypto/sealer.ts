/**
 * Sealed-payload seams. A `Sealer` encrypts a frame payload to the collector's public key
 * (ephemeral ECDH P-256 → HKDF-SHA256 → AES-256-GCM; see seal-webcrypto.ts once present);
 * an `Opener` holds private keys by key id so keys rotate without downtime.
 */
export interface Sealer {
  /** Written into the frame header so the collector picks the right private key. */
  readonly keyId: number;
  seal(plaintext: Uint8Array): Promise<Uint8Array>;
}

export interface Opener {
  /** Throws SharedError SHARED_CRYPTO_UNKNOWN_KEY or SHARED_CRYPTO_TAMPERED. */
  open(keyId: number, sealed: Uint8Array): Promise<Uint8Array>;
}
