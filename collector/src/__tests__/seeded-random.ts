/** Small deterministic PRNG (mulberry32) for tests, so a failing seed can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A PRNG seeded from `TEST_SEED` when set, else from the clock; prints the seed with the test's
 * label, so a failure seen once replays with `TEST_SEED=<seed> npx vitest run <file>`.
 */
export function seededRandomFromEnv(label: string): () => number {
  const seed = Number(process.env.TEST_SEED ?? Date.now() % 2 ** 31) >>> 0;
  console.log(`[seed] ${label}: ${seed} (replay with TEST_SEED=${seed})`);
  return seededRandom(seed);
}
