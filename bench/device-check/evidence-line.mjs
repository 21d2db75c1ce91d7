// One line of docs/benchmarks.md's device-evidence table, from the
// evidence a device check wrote (check.mjs prints it; device-check.sh's
// `record` appends it).
import { basename } from 'node:path';

const num = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

/** The Markdown table row of evidence `e` (kept as docs/evidence/`file`). */
export function evidenceLine(e, file) {
  const f = e.figures ?? {};
  const plugins = Object.entries(e.versions?.jaxPlugins ?? {})
    .map(([name, version]) => `, ${name} ${version}`)
    .join('');
  const device = e.device
    ? `${e.device.count} × ${e.device.kinds?.join(', ')}`
    : e.accelerator;
  const memory = f.peakDeviceBytes
    ? `${(f.peakDeviceBytes / 2 ** 30).toFixed(2)} GiB`
    : '—';
  return `| ${e.date.slice(0, 10)} | ${device} | jax ${e.versions?.jax ?? '?'}${plugins} | ${num(f.sandboxedTflops)} | ${num(f.unsandboxedTflops)} | ${num(f.tflopsRatio)} | ${num(f.spiralsCachedCompileRatio)} | ${memory} | [json](evidence/${basename(file)}) |`;
}
