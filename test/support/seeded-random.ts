/** Replayable randomness for the end-to-end tests: the collector's test PRNG, seed printed (TEST_SEED replays). */
export { seededRandomFromEnv as seededRandom } from '../../collector/src/__tests__/seeded-random.js';
