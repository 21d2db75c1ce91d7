import { createHash } from 'node:crypto';

import type { Accelerator, Job, Metrics, RunManifest } from '@jaxlab/schemas';

import type { IDeviceProbe } from '../host/device-probe.js';
import type { IHostPython } from '../host/host-python.js';
import type { IRequirementsEnvironment } from '../requirements/environment-builder.js';
import type { ISlotGrant } from '../slots/device-slots.js';

/** What a job's run manifest is made of. */
export interface IRunManifestFacts {
  job: Job;
  hostId: string;
  gatewayVersion: string;
  sandboxed: boolean;
  hostPython?: IHostPython;
  probe?: IDeviceProbe;
  grant?: ISlotGrant;
  environment: IRequirementsEnvironment | null;
  /** What the kernel said JAX saw, kept apart (never a fact of the run). */
  kernelReportedDevice?: Metrics['kernelReportedDevice'];
}

/**
 * What exactly ran where: the code's and requirements' hashes, the call,
 * the host, JAX's versions and driver as the gateway's probe found them,
 * the slots and their devices, the requirements environment.
 */
export function runManifestOf(facts: IRunManifestFacts): RunManifest {
  const { job, hostPython: host, probe, grant, environment } = facts;
  const manifest: RunManifest = {
    codeSha256: sha256(job.code),
    requirementsSha256: sha256(job.requirements),
    entrypoint: job.entrypoint,
    args: job.args,
    host: facts.hostId,
    gatewayVersion: facts.gatewayVersion,
    sandboxed: facts.sandboxed
  };
  if (host) {
    manifest.python = host.pythonVersion;
  }
  Object.assign(manifest, jaxVersions(probe, host));
  const driver = [
    probe?.driver,
    probe?.platformVersions[job.accelerator as Accelerator]
  ].filter(Boolean);
  if (job.accelerator !== 'cpu' && driver.length) {
    manifest.driver = driver.join('; ').slice(0, 256);
  }
  if (grant) {
    manifest.slots = grant.slotIds;
  }
  if (environment) {
    manifest.packages = environment.packages;
    manifest.environmentSha256 = environment.sha256;
  }
  if (grant) {
    manifest.device = grant.device;
  }
  if (facts.kernelReportedDevice) {
    manifest.kernelReportedDevice = facts.kernelReportedDevice;
  }
  return manifest;
}

/** JAX's versions for the manifest: the probe's (inside the sandbox), else the venv's. */
function jaxVersions(
  probe: IDeviceProbe | undefined,
  host: IHostPython | undefined
): Pick<RunManifest, 'jax' | 'jaxlib' | 'jaxPlugins'> {
  const packages = probe?.packages.jax
    ? probe.packages
    : (host?.packages ?? {});
  const versions: Pick<RunManifest, 'jax' | 'jaxlib' | 'jaxPlugins'> = {};
  const plugins: Record<string, string> = {};
  for (const [name, version] of Object.entries(packages)) {
    if (name === 'jax') versions.jax = version;
    else if (name === 'jaxlib') versions.jaxlib = version;
    else if (/^(jax-cuda|jax-rocm|jax-tpu|libtpu)/.test(name)) {
      plugins[name] = version;
    }
  }
  if (Object.keys(plugins).length) versions.jaxPlugins = plugins;
  return versions;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
