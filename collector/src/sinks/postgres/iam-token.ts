/**
 * RDS IAM authentication tokens for the sink's connections. A token is a presigned URL valid
 * for 15 minutes and is checked only when a connection opens, so one token serves every
 * connection opened within `reuseMs` (10 minutes) of its signing, and a fresh one is signed
 * before the old one could expire mid-handshake. Signing is local (no AWS call); the signer
 * reads credentials from the SDK's default chain (instance role, env, profile).
 */
import { systemClock, type Clock } from '../../delivery/clock.js';
import type { ConnectionTarget } from './connection-options.js';
import type { PostgresSinkConfig } from './postgres-config.js';

/** What signs a token: `@aws-sdk/rds-signer`'s `Signer` in production, any function in tests. */
export interface TokenSigner {
  getAuthToken(): Promise<string>;
}

/** RDS accepts a token for 15 minutes; re-sign well before that. */
export const IAM_TOKEN_REUSE_MS = 10 * 60_000;

export function iamPasswordSource(signer: TokenSigner, clock: Pick<Clock, 'now'>, reuseMs = IAM_TOKEN_REUSE_MS): () => Promise<string> {
  let cached: { token: string; signedAtMs: number } | undefined;
  return async () => {
    const now = clock.now();
    if (cached && now - cached.signedAtMs < reuseMs) return cached.token;
    const token = await signer.getAuthToken();
    cached = { token, signedAtMs: now };
    return token;
  };
}

/**
 * The connection's password: the URL's, or with `iam` a token source for the URL's host, port and
 * user (the signer is loaded only then: it costs a collector without IAM ~0.3 s at start).
 */
export async function passwordFor(config: PostgresSinkConfig, target: ConnectionTarget, clock: Pick<Clock, 'now'> = systemClock): Promise<string | (() => Promise<string>) | undefined> {
  if (!config.iam) return target.password;
  const { Signer } = await import('@aws-sdk/rds-signer');
  const signer = new Signer({ hostname: target.host, port: target.port, username: config.iam.username ?? target.user, ...(config.iam.region ? { region: config.iam.region } : {}) });
  return iamPasswordSource(signer, clock);
}
