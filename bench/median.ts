/** median of a non-empty list: every bench scenario reports the median of its interleaved rounds. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * pairedRatio is the median of a[i] / b[i] over rounds: each round measures its contenders back to
 * back, so a ratio within one round is taken at one speed of the machine. The speed of these VMs moves
 * by up to 2x within minutes, which a ratio of two medians (taken from different rounds) does not cancel.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((value, i) => value / b[i]!));
}
