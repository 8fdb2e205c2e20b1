// Statistics over interleaved bench rounds: medians, paired ratios, and the order contenders take turns in.
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

/**
 * turnOrder is the order in which contenders run in round `round`: each round starts one contender
 * later. Run in a fixed order, the first one would always meet the machine at the start of a round
 * and the others later on, and a drift within rounds (these VMs speed up and slow down over minutes)
 * would favour or hurt the same contender every time.
 */
export function turnOrder<T>(contenders: readonly T[], round: number): T[] {
  const start = round % contenders.length;
  return [...contenders.slice(start), ...contenders.slice(0, start)];
}
