import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import type { Accelerator, HostInfo } from '@jaxlab/schemas';

const execFileAsync = promisify(execFile);

/** One kind of accelerator of the host, as its registration lists it. */
export type IHostAccelerator = HostInfo['accelerators'][number];

const DETECT_SCRIPT = `
import json, jax
found = {}
for platform in ('cpu', 'gpu', 'tpu'):
    try:
        devices = jax.devices(platform)
    except RuntimeError:
        continue
    if devices:
        found[platform] = {'kind': platform, 'count': len(devices),
                           'deviceKind': str(devices[0].device_kind)[:128]}
print(json.dumps(list(found.values())))
`;

/**
 * The accelerators the host's JAX really sees (`jax.devices(platform)` for
 * cpu, gpu and tpu), detected once by running the venv's python. The CPU is
 * always there, even when detection fails.
 */
export async function detectAccelerators(
  python: string
): Promise<IHostAccelerator[]> {
  let found: IHostAccelerator[] = [];
  try {
    const { stdout } = await execFileAsync(
      python,
      ['-I', '-c', DETECT_SCRIPT],
      {
        timeout: 120_000,
        env: { PATH: '/usr/bin:/bin', JAX_PLATFORMS: '' }
      }
    );
    found = JSON.parse(
      stdout.trim().split('\n').pop() ?? '[]'
    ) as IHostAccelerator[];
  } catch {
    found = [];
  }
  if (!found.some(a => a.kind === 'cpu')) {
    found.push({ kind: 'cpu', count: 1, deviceKind: 'cpu' });
  }
  const order: Accelerator[] = ['tpu', 'gpu', 'cpu'];
  return found.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}

/** `tpu (4 × TPU v5 lite), cpu (1 × cpu)`: for messages. */
export function describeAccelerators(accelerators: IHostAccelerator[]): string {
  return accelerators
    .map(a => `${a.kind} (${a.count} × ${a.deviceKind ?? a.kind})`)
    .join(', ');
}
