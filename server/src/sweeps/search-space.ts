import type {
  LiteralArgs,
  SearchParameter,
  SearchSpace
} from '@jaxlab/schemas';
import { HttpError } from '@jaxlab/http';

/**
 * The trials' arguments of a search space, fixed once when a sweep starts
 * (so that it can be paused, resumed and audited):
 *
 * - grid: the cartesian product of each parameter's `values`, in the order
 *   the parameters are given with the last one changing fastest, cut at
 *   `runCap`;
 * - random: `runCap` draws from a PRNG seeded with `seed` (the same space
 *   and seed give the same trials): `values` chosen uniformly, `uniform`
 *   and `log-uniform` floats in [min, max], `int` integers in [min, max].
 *
 * `fixed` arguments go into every trial; a parameter of the space wins.
 *
 * @throws {@link HttpError} 400 `INVALID_REQUEST` for a distribution in a
 *   grid, min above max, or a log-uniform range that is not positive.
 */
export function materialiseTrials(
  space: SearchSpace,
  fixed: LiteralArgs = {}
): LiteralArgs[] {
  const entries = Object.entries(space.parameters);
  for (const [name, parameter] of entries)
    checkParameter(space, name, parameter);
  if (space.kind === 'grid') {
    let trials: LiteralArgs[] = [{ ...fixed }];
    for (const [name, parameter] of entries) {
      const values = (parameter as { values: unknown[] }).values;
      trials = trials.flatMap(trial =>
        values.map(value => ({ ...trial, [name]: value }) as LiteralArgs)
      );
      if (trials.length > space.runCap * values.length) {
        // The rest of the product is cut anyway; don't build it.
        trials = trials.slice(0, space.runCap * values.length);
      }
    }
    return trials.slice(0, space.runCap);
  }
  const random = mulberry32(space.seed ?? 0);
  return Array.from({ length: space.runCap }, () => {
    const trial: LiteralArgs = { ...fixed };
    for (const [name, parameter] of entries) {
      trial[name] = draw(parameter, random);
    }
    return trial;
  });
}

function draw(
  parameter: SearchParameter,
  random: () => number
): LiteralArgs[string] {
  if ('values' in parameter) {
    return parameter.values[Math.floor(random() * parameter.values.length)];
  }
  const { distribution, min, max } = parameter;
  switch (distribution) {
    case 'uniform':
      return min + random() * (max - min);
    case 'log-uniform':
      return Math.exp(
        Math.log(min) + random() * (Math.log(max) - Math.log(min))
      );
    case 'int':
      return (
        Math.ceil(min) +
        Math.floor(random() * (Math.floor(max) - Math.ceil(min) + 1))
      );
  }
}

function checkParameter(
  space: SearchSpace,
  name: string,
  parameter: SearchParameter
): void {
  if ('values' in parameter) return;
  const fail = (message: string, hint: string): never => {
    throw new HttpError('INVALID_REQUEST', `Parameter ${name}: ${message}`, {
      hint
    });
  };
  if (space.kind === 'grid') {
    fail(
      `a grid takes lists of values, not a ${parameter.distribution} distribution`,
      'Give the grid parameter {"values": [...]}, or make the sweep random.'
    );
  }
  if (parameter.min > parameter.max)
    fail('min is above max', 'Swap min and max.');
  if (!Number.isFinite(parameter.max - parameter.min)) {
    fail(
      'the range is too wide to draw from',
      'Use bounds within ±1e300 of each other.'
    );
  }
  if (parameter.distribution === 'log-uniform' && parameter.min <= 0) {
    fail(
      'a log-uniform range must be positive',
      'Use a min above 0, e.g. 1e-5.'
    );
  }
  if (
    parameter.distribution === 'int' &&
    Math.ceil(parameter.min) > Math.floor(parameter.max)
  ) {
    fail('no integer lies between min and max', 'Widen the range.');
  }
}

/**
 * mulberry32: a 32-bit seeded PRNG in [0, 1). Written here because a
 * sweep's trials must be reproducible from its seed across Node versions,
 * which Math.random is not, and the algorithm is six lines.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
