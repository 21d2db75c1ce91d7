/**
 * `values` smoothed by an exponential moving average of `weight` in [0, 1)
 * (0: unchanged), debiased as TensorBoard does so that the first points
 * are not pulled towards zero. Nulls (gaps) stay null and do not move the
 * average.
 *
 * @example
 * ```ts
 * smoothValues([1, 1, 1], 0.9); // [1, 1, 1] (debiased: no drift towards 0)
 * ```
 */
export function smoothValues(
  values: readonly (number | null)[],
  weight: number
): (number | null)[] {
  if (!(weight > 0)) return [...values];
  const w = Math.min(weight, 0.999);
  let average = 0;
  let count = 0;
  return values.map(value => {
    if (value === null || !Number.isFinite(value)) return value;
    count++;
    average = average * w + (1 - w) * value;
    return average / (1 - Math.pow(w, count));
  });
}
