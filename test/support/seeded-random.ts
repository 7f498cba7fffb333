/** A small seeded generator (mulberry32): randomized tests print their seed and replay with it. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from `envName` or the clock, printed so a failure can be replayed. */
export function testSeed(envName: string): number {
  const seed = Number(process.env[envName] ?? Date.now() % 1_000_000);
  console.log(`seed ${seed} (${envName}=${seed} replays it)`);
  return seed;
}
