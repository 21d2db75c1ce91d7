/** What the collection of one run's outputs/ folder keeps at most. */
export interface IOutputLimits {
  /** Files kept per run (default 1000). */
  maxFiles: number;
  /** Bytes kept per run, all files together (default 1 GiB). */
  maxBytes: number;
  /** Bytes of one file (default: `maxBytes`). */
  maxFileBytes: number;
}

/** Defaults of {@link IOutputLimits}; the gateway's flags override them. */
export const DEFAULT_OUTPUT_LIMITS: Readonly<IOutputLimits> = Object.freeze({
  maxFiles: 1000,
  maxBytes: 1024 ** 3,
  maxFileBytes: 1024 ** 3
});

/** Folders below outputs/ walked at most. */
export const MAX_OUTPUT_DEPTH = 16;
