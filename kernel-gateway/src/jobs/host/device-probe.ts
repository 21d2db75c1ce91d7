import type { KernelMessage } from '@jupyterlab/services';

import type { Accelerator } from '@jaxlab/schemas';

import type { IJobKernels } from '../runner/job-kernels.js';
import type { IHostAccelerator } from './accelerator-detector.js';

/** What the probe kernel found inside the sandbox. */
export interface IDeviceProbe {
  /** Accelerators JAX saw in the sandbox, tpu, gpu, then cpu (always). */
  accelerators: IHostAccelerator[];
  /** Each backend's `platform_version` (runtime and driver), by kind. */
  platformVersions: Partial<Record<Accelerator, string>>;
  /** jax, jaxlib and JAX's plugins (jax-cuda*, jax-rocm*, libtpu), name to version. */
  packages: Record<string, string>;
  /** The NVIDIA kernel module's version line, when readable. */
  driver?: string;
  /** Why the probe found nothing but the CPU, when it failed. */
  error?: string;
}

const MARKER = 'JAXLAB_PROBE ';

/**
 * The probe kernel's main.py: asks JAX for each platform's devices (the
 * backends JAX can initialise with what the sandbox holds), and reads the
 * versions of JAX, its plugins and the NVIDIA driver. Printed as one line.
 */
const PROBE_SOURCE = `"""The gateway's device probe."""

import importlib.metadata
import json

import jax

PLUGIN_PREFIXES = ("jax-cuda", "jax-rocm", "jax-tpu", "libtpu")


def probe():
    """Prints what JAX sees in this sandbox as one JSON line."""
    found = []
    versions = {}
    for kind in ("tpu", "gpu", "cpu"):
        try:
            devices = jax.devices(kind)
        except RuntimeError:
            continue
        if devices:
            found.append({"kind": kind, "count": len(devices),
                          "deviceKind": str(devices[0].device_kind)[:128]})
            versions[kind] = str(devices[0].client.platform_version)[:200]
    packages = {}
    for dist in importlib.metadata.distributions():
        name = str(dist.metadata["Name"] or "").lower().replace("_", "-")
        if name in ("jax", "jaxlib") or name.startswith(PLUGIN_PREFIXES):
            packages[name] = str(dist.version)[:64]
    driver = None
    try:
        with open("/proc/driver/nvidia/version", encoding="utf-8") as handle:
            driver = handle.readline().strip()[:200]
    except OSError:
        pass
    print("${MARKER}" + json.dumps({"accelerators": found, "platformVersions": versions,
                                  "packages": packages, "driver": driver}))
`;

const KINDS: readonly Accelerator[] = ['tpu', 'gpu', 'cpu'];

/**
 * Starts one kernel with every accelerator node of the host, exactly as a
 * job's kernel is sandboxed, and asks JAX inside it what it can use: so the
 * host advertises only devices its kernels can really open. JAX picks its
 * platforms itself here (no JAX_PLATFORMS), and GPU memory is not
 * preallocated. Never throws: a failed probe reports the CPU and why.
 */
export async function probeDevices(
  kernels: IJobKernels,
  options: Pick<IJobKernels.IStartOptions, 'devices' | 'runtimeEnv'> = {}
): Promise<IDeviceProbe> {
  let output = '';
  let error: string | undefined;
  let kernelId: string | undefined;
  try {
    const kernel = await kernels.startKernel({
      files: { 'main.py': PROBE_SOURCE },
      designatedFunctions: ['probe'],
      extraImports: ['importlib', 'json'],
      devices: options.devices,
      runtimeEnv: {
        ...options.runtimeEnv,
        XLA_PYTHON_CLIENT_PREALLOCATE: 'false'
      },
      limits: { wallClockLimitMs: 300_000 }
    });
    kernelId = kernel.id;
    const reply = await kernel.execute('probe()', {
      onIOPub: msg => {
        if (msg.header.msg_type === 'stream') {
          output += (msg as KernelMessage.IStreamMsg).content.text;
        }
      }
    });
    if (reply.status === 'error') {
      error = `${reply.ename}: ${reply.evalue}`;
    }
  } catch (cause) {
    error = cause instanceof Error ? cause.message : String(cause);
  } finally {
    if (kernelId) {
      await kernels.shutdownKernel(kernelId, { now: true }).catch(() => {});
    }
  }
  return parseProbe(output, error);
}

/** The probe's result from its output; the CPU alone when unreadable. */
export function parseProbe(output: string, error?: string): IDeviceProbe {
  const line = output
    .split('\n')
    .reverse()
    .find(l => l.startsWith(MARKER));
  const probe: IDeviceProbe = {
    accelerators: [],
    platformVersions: {},
    packages: {}
  };
  if (line) {
    try {
      const raw = JSON.parse(line.slice(MARKER.length)) as {
        accelerators?: IHostAccelerator[];
        platformVersions?: Record<string, string>;
        packages?: Record<string, string>;
        driver?: string | null;
      };
      probe.accelerators = (raw.accelerators ?? []).filter(
        a => KINDS.includes(a.kind) && Number.isInteger(a.count) && a.count > 0
      );
      for (const kind of KINDS) {
        const version = raw.platformVersions?.[kind];
        if (typeof version === 'string') probe.platformVersions[kind] = version;
      }
      probe.packages = Object.fromEntries(
        Object.entries(raw.packages ?? {}).filter(
          ([, v]) => typeof v === 'string'
        )
      );
      if (raw.driver) probe.driver = raw.driver;
    } catch (cause) {
      error ??= `unreadable probe output: ${String(cause)}`;
    }
  } else {
    error ??= `the probe printed no result${output ? `: ${output.slice(-500)}` : ''}`;
  }
  if (!probe.accelerators.some(a => a.kind === 'cpu')) {
    probe.accelerators.push({ kind: 'cpu', count: 1, deviceKind: 'cpu' });
  }
  probe.accelerators.sort(
    (a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind)
  );
  if (error) probe.error = error;
  return probe;
}
