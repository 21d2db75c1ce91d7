/**
 * Cloud TPU settings libtpu would otherwise ask the VM's metadata server
 * for at start, read once by the gateway (outside the sandbox, which has no
 * network) and passed into every TPU kernel as libtpu's own environment
 * variables. Where these names are documented is listed in docs/sandbox.md.
 */
export interface ITpuEnvironmentOptions {
  /** Metadata server host (default: $GCE_METADATA_HOST, else metadata.google.internal). */
  metadataHost?: string;
  /** Give up after this long (default 3000 ms). */
  timeoutMs?: number;
}

/**
 * The environment a sandboxed TPU kernel needs: `TPU_SKIP_MDS_QUERY=1`
 * (libtpu and JAX's Cloud TPU cluster code then read the values below
 * from the environment instead of the metadata server), the accelerator
 * type and chip bounds from the VM's `tpu-env` metadata, and one process
 * on this host's chips (`TPU_PROCESS_BOUNDS=1,1,1`, worker 0 on
 * localhost): a sandbox cannot reach other hosts of a multi-host slice.
 *
 * @throws Error when the metadata server does not answer (not a Cloud TPU
 *   VM, or no network): the gateway then says so and offers no TPU.
 */
export async function readTpuEnvironment(
  options: ITpuEnvironmentOptions = {}
): Promise<Record<string, string>> {
  const host =
    options.metadataHost ??
    process.env.GCE_METADATA_HOST ??
    'metadata.google.internal';
  const response = await fetch(
    `http://${host}/computeMetadata/v1/instance/attributes/tpu-env`,
    {
      headers: { 'Metadata-Flavor': 'Google' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 3000)
    }
  );
  if (!response.ok) {
    throw new Error(`metadata server answered ${response.status} for tpu-env`);
  }
  return tpuEnvironmentOf(parseTpuEnv(await response.text()));
}

/** `KEY: 'value'` lines of the `tpu-env` metadata attribute. */
export function parseTpuEnv(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*):\s*'?(.*?)'?\s*$/.exec(line.trim());
    if (match) values.set(match[1]!, match[2]!);
  }
  return values;
}

/** libtpu's variables from the parsed `tpu-env` values. */
export function tpuEnvironmentOf(
  values: ReadonlyMap<string, string>
): Record<string, string> {
  const env: Record<string, string> = {
    TPU_SKIP_MDS_QUERY: '1',
    TPU_WORKER_ID: '0',
    TPU_WORKER_HOSTNAMES: 'localhost',
    TPU_PROCESS_BOUNDS: '1,1,1',
    TPU_HOST_BOUNDS: '1,1,1'
  };
  const copy = (from: string, ...to: string[]) => {
    const value = values.get(from);
    if (value && /^[\w.,\-]{1,128}$/.test(value)) {
      for (const name of to) env[name] = value;
    }
  };
  copy('ACCELERATOR_TYPE', 'TPU_ACCELERATOR_TYPE');
  copy(
    'CHIPS_PER_HOST_BOUNDS',
    'TPU_CHIPS_PER_PROCESS_BOUNDS',
    'TPU_CHIPS_PER_HOST_BOUNDS'
  );
  // The slice's whole topology holds only on a single-host slice.
  if ((values.get('HOST_BOUNDS') ?? '1,1,1') === '1,1,1') {
    copy('TOPOLOGY', 'TPU_TOPOLOGY');
    copy('WRAP', 'TPU_TOPOLOGY_WRAP');
  }
  return env;
}
