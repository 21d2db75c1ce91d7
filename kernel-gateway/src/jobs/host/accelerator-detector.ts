import type { HostInfo } from '@jaxlab/schemas';

/** One kind of accelerator of the host, as its registration lists it. */
export type IHostAccelerator = HostInfo['accelerators'][number];

/** `tpu (4 × TPU v5 lite), cpu (1 × cpu)`: for messages. */
export function describeAccelerators(
  accelerators: readonly IHostAccelerator[]
): string {
  return accelerators
    .map(a => `${a.kind} (${a.count} × ${a.deviceKind ?? a.kind})`)
    .join(', ');
}
