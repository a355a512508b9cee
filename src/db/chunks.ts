/** Splitting value lists for statements whose bound parameters each engine limits. */

/** Splits `values` into consecutive slices of at most `size` values, in order; none for an empty list. */
export function splitIntoChunks<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < values.length; start += size) chunks.push(values.slice(start, start + size));
  return chunks;
}
