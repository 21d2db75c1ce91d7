import type { DeviceInfo, Job, RunManifest } from './generated/types.js';

/**
 * A run's device badge, as every view shows it: platform, count and kind,
 * e.g. `gpu · 2 × NVIDIA H200`, `tpu · 4 × TPU v5 lite`, `cpu · 1 × cpu`.
 * From the run's device facts (the gateway's probe of its slots); before
 * a run has any, what it asked for (`gpu · 2 asked`).
 *
 * @example
 * ```ts
 * deviceBadge(job); // 'gpu · 1 × NVIDIA H200'
 * ```
 */
export function deviceBadge(
  job: Pick<Job, 'accelerator' | 'deviceCount' | 'metrics' | 'manifest'>
): string {
  const device: DeviceInfo | undefined =
    job.metrics?.device ?? job.manifest?.device;
  if (!device) {
    return `${job.accelerator} · ${job.deviceCount ?? 1} asked`;
  }
  const kind = device.kinds?.length ? device.kinds.join(', ') : device.platform;
  return `${device.platform} · ${device.count} × ${kind}`;
}

/**
 * The software a run ran on, from its manifest: `jax 0.10.2 · jaxlib 0.10.2
 * · jax-cuda13-plugin 0.11.2 · driver …`; empty when nothing is recorded.
 */
export function runtimeVersions(manifest: RunManifest | undefined): string {
  if (!manifest) return '';
  const parts: string[] = [];
  if (manifest.jax) parts.push(`jax ${manifest.jax}`);
  if (manifest.jaxlib) parts.push(`jaxlib ${manifest.jaxlib}`);
  for (const [name, version] of Object.entries(manifest.jaxPlugins ?? {})) {
    parts.push(`${name} ${version}`);
  }
  if (manifest.driver) parts.push(`driver ${manifest.driver}`);
  return parts.join(' · ');
}
