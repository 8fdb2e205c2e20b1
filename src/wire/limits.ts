/** Limits bound every count the parser keeps; exceeding one is a WireError with a specific code. */
export interface Limits {
  /** Longest request-line or status-line, in bytes, without its CRLF (414 for requests). */
  maxStartLine: number;
  /** Largest header section (all field lines, CRLFs included, start line excluded) -> 431. */
  maxHeadBytes: number;
  /** Most field lines in one header section (or trailer section) -> 431. */
  maxHeaderCount: number;
  /** Largest body; Infinity for no limit -> 413. A Content-Length over it fails at the head. */
  maxBodyBytes: number;
  /** Longest chunk-size line including extensions. */
  maxChunkLine: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxStartLine: 8 * 1024,
  maxHeadBytes: 16 * 1024,
  maxHeaderCount: 100,
  maxBodyBytes: Infinity,
  maxChunkLine: 4 * 1024,
});

/** resolveLimits fills in defaults; a complete Limits object is returned as is (no copy per parser). */
export function resolveLimits(partial?: Partial<Limits>): Limits {
  if (partial === undefined) return DEFAULT_LIMITS;
  if (
    partial.maxStartLine !== undefined && partial.maxHeadBytes !== undefined && partial.maxHeaderCount !== undefined &&
    partial.maxBodyBytes !== undefined && partial.maxChunkLine !== undefined
  ) {
    return partial as Limits;
  }
  return { ...DEFAULT_LIMITS, ...partial };
}
