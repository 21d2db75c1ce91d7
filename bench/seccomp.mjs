// Issue 9's cold-start benchmark: sandboxed kernel starts with the seccomp
// filter against the same starts without it, alternating in one run (the
// filter is the only difference). A start is KernelManager.startKernel()
// until the kernel answered kernel_info_request.
//
// Usage: node bench/seccomp.mjs [--starts 9]
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  BubblewrapLauncher,
  KernelManager
} from '../kernel-gateway/lib/index.js';
import { ROOT, fmt, loadAverage, median, percentile } from './lib.mjs';

const { values: opts } = parseArgs({
  options: { starts: { type: 'string', default: '9' } }
});
const STARTS = Number(opts.starts);

function manager(isSeccompOff) {
  const dataDir = mkdtempSync('/tmp/jxs-');
  chmodSync(dataDir, 0o755);
  const launcher = new BubblewrapLauncher({
    venvDir: `${ROOT}.venv`,
    isSeccompOff
  });
  return {
    dataDir,
    launcher,
    kernels: new KernelManager({ launcher, dataDir })
  };
}

async function startOnce(m) {
  const t0 = performance.now();
  const kernel = await m.kernels.startKernel({
    files: { 'main.py': 'def main():\n    return None\n' }
  });
  const ms = performance.now() - t0;
  await m.kernels.shutdownKernel(kernel.id, { now: true });
  return ms;
}

const withFilter = manager(false);
const withoutFilter = manager(true);
const seccomp = (await withFilter.launcher.hostInfo()).seccomp;
if (!seccomp.program) throw new Error(seccomp.description);
const loadBefore = loadAverage();
// One warm-up each, then alternate so that drift hits both alike.
await startOnce(withFilter);
await startOnce(withoutFilter);
const on = [];
const off = [];
for (let i = 0; i < STARTS; i++) {
  on.push(await startOnce(withFilter));
  off.push(await startOnce(withoutFilter));
}
await withFilter.kernels.dispose();
await withoutFilter.kernels.dispose();
rmSync(withFilter.dataDir, { recursive: true, force: true });
rmSync(withoutFilter.dataDir, { recursive: true, force: true });

console.log(
  `cold start of a sandboxed kernel, ${STARTS} starts each after 1 warm-up, alternating; ${seccomp.description}`
);
console.log();
console.log('| kernel start | median ms | p99 ms | load avg |');
console.log('| --- | --: | --: | --- |');
console.log(
  `| with the seccomp filter | ${fmt(median(on))} | ${fmt(percentile(on, 99))} | ${loadBefore} |`
);
console.log(
  `| without it | ${fmt(median(off))} | ${fmt(percentile(off, 99))} | ${loadAverage()} |`
);
console.log();
const ratio = median(on) / median(off);
console.log(
  `ratio with / without (medians): ${fmt(ratio, 3)} (goal <= 1.05: ${ratio <= 1.05 ? 'met' : 'NOT met'})`
);
