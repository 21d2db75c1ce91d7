export {
  EnvironmentBuilder,
  readInstalledPackages
} from './requirements/environment-builder.js';
export type { IRequirementsEnvironment } from './requirements/environment-builder.js';
export { IndexProxy, PYPI_HOSTS } from './requirements/index-proxy.js';
export { pipSandboxArgv } from './requirements/pip-sandbox.js';
export type { IPipSandboxOptions } from './requirements/pip-sandbox.js';
export { hostConstraints, inspectHostPython } from './host/host-python.js';
export type { IHostPython } from './host/host-python.js';
export { describeAccelerators } from './host/accelerator-detector.js';
export type { IHostAccelerator } from './host/accelerator-detector.js';
export { parseProbe, probeDevices } from './host/device-probe.js';
export type { IDeviceProbe } from './host/device-probe.js';
export { findHostDevices } from './host/host-devices.js';
export type { IHostDevices } from './host/host-devices.js';
export { readNvidiaGpus } from './host/nvidia-gpus.js';
export type { INvidiaGpu } from './host/nvidia-gpus.js';
export {
  parseTpuEnv,
  readTpuEnvironment,
  tpuEnvironmentOf
} from './host/tpu-environment.js';
export { DeviceSlots } from './slots/device-slots.js';
export type { ISlotGrant, ISlotPlanOptions } from './slots/device-slots.js';
export {
  DEFAULT_MAX_LOG_BYTES,
  JobEventWriter
} from './runner/job-event-writer.js';
export { StepSeriesWriter } from './metrics/step-series-writer.js';
export { JobExecution } from './runner/job-execution.js';
export type { JobOutcome } from './runner/job-outcome.js';
export type { IJobKernel, IJobKernels } from './runner/job-kernels.js';
export { JobRunner } from './runner/job-runner.js';
export { GATEWAY_VERSION } from './runner/gateway-version.js';
export type { IRunnerMetrics } from './runner/job-runner-options.js';
export {
  renderDesignatedCall,
  renderPythonLiteral
} from './runner/python-call.js';
export { collectOutputs, DEFAULT_OUTPUT_LIMITS } from './outputs/index.js';
export type { ICollectOutputsOptions, IOutputLimits } from './outputs/index.js';
export { COMPILE_CACHE_PATH, CompileCache } from './cache/compile-cache.js';
export type { ICompileCacheView } from './cache/compile-cache.js';
export { WarmKernels } from './runner/warm-kernels.js';
