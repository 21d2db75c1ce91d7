import { promises as fs } from 'node:fs';
import path from 'node:path';

/** One NVIDIA GPU as the driver describes it in /proc. */
export interface INvidiaGpu {
  /** `Device Minor`: N of /dev/nvidiaN. */
  minor: number;
  /** `GPU UUID`, e.g. `GPU-3e5b…`: what CUDA_VISIBLE_DEVICES accepts. */
  uuid?: string;
  /** `Bus Location`, e.g. `0000:1b:00.0`. */
  busId?: string;
  /** `Model`. */
  model?: string;
}

/**
 * The host's NVIDIA GPUs from `<root>/proc/driver/nvidia/gpus/<bus>/information`
 * (one file per GPU, `Key: value` lines), by device minor. Empty when the
 * driver's folder is missing or unreadable (e.g. under gVisor's proxy).
 */
export async function readNvidiaGpus(root = '/'): Promise<INvidiaGpu[]> {
  const dir = path.join(root, 'proc/driver/nvidia/gpus');
  let buses: string[];
  try {
    buses = await fs.readdir(dir);
  } catch {
    return [];
  }
  const gpus: INvidiaGpu[] = [];
  for (const bus of buses) {
    let text: string;
    try {
      text = await fs.readFile(path.join(dir, bus, 'information'), 'utf8');
    } catch {
      continue;
    }
    const fields = new Map<string, string>();
    for (const line of text.split('\n')) {
      const at = line.indexOf(':');
      if (at > 0)
        fields.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
    }
    const minor = Number(fields.get('Device Minor'));
    if (!Number.isInteger(minor)) continue;
    const uuid = fields.get('GPU UUID');
    gpus.push({
      minor,
      uuid: uuid && /^GPU-[0-9a-fA-F-]+$/.test(uuid) ? uuid : undefined,
      busId: fields.get('Bus Location'),
      model: fields.get('Model')
    });
  }
  return gpus.sort((a, b) => a.minor - b.minor);
}
