// A small seeded PRNG (mulberry32) with the few draws the demo generator needs. Own code rather
// than Math.random so the same seed gives a byte-identical demo stream on every machine.

import { mulberry32 } from '@/lib/util/seeded-random';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Exponentially distributed with the given mean (Poisson inter-arrival times). */
  exp(mean: number): number;
  /** Picks a key of `weights` with probability proportional to its weight. */
  weighted<T extends string | number>(weights: ReadonlyArray<readonly [T, number]>): T;
}

export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    exp: (mean) => -mean * Math.log(1 - next()),
    weighted: <T extends string | number>(weights: ReadonlyArray<readonly [T, number]>): T => {
      const total = weights.reduce((s, [, w]) => s + w, 0);
      let u = next() * total;
      for (const [k, w] of weights) {
        u -= w;
        if (u < 0) return k;
      }
      return weights[weights.length - 1]![0];
    },
  };
}
