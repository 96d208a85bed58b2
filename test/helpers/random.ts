// Seeded randomness for property tests: a failure names its seed, and the same seed gives the same case.
// The PRNG is verify's sampler (mulberry32), so there is one copy of it.
export { random as rng } from '../../src/verify/sampling.js';
