/**
 * @jaxlab/kernel-gateway: the Jupyter kernel REST + WebSocket API in front
 * of sandboxed restricted kernels, and the job runner. This entry lists
 * what another program needs to assemble a gateway (as `jaxlab-gateway`
 * does); the rest of the package is internal.
 *
 * @packageDocumentation
 */
export { API_VERSION, createGateway } from './http/index.js';
export type {
  ICredentialSource,
  IGateway,
  IGatewayOptions,
  IProjectSource
} from './http/index.js';
export { KernelManager } from './kernels/index.js';
export type {
  IKernelModel,
  KernelEvent,
  KernelEventType,
  KernelSession
} from './kernels/index.js';
export {
  BubblewrapLauncher,
  SANDBOX_JOB_DIR,
  SANDBOX_REQUIREMENTS_DIR,
  createKernelLauncher,
  findAcceleratorNodes,
  probeSandbox,
  selectAcceleratorNodes
} from './sandbox/index.js';
export type {
  IAcceleratorNodes,
  IBind,
  ICreateKernelLauncherOptions,
  IDeviceSelection,
  ISandboxDevices,
  IKernelLauncher,
  IKernelProcess,
  ISandboxProbe,
  SandboxedProcess
} from './sandbox/index.js';
export {
  CompileCache,
  DeviceSlots,
  EnvironmentBuilder,
  GATEWAY_VERSION,
  JobRunner,
  findHostDevices,
  parseProbe,
  parseTpuEnv,
  readNvidiaGpus,
  tpuEnvironmentOf
} from './jobs/index.js';
export type {
  IDeviceProbe,
  IHostDevices,
  IJobKernel,
  IJobKernels,
  INvidiaGpu,
  IOutputLimits,
  IRunnerMetrics,
  ISlotGrant,
  JobOutcome
} from './jobs/index.js';
export { DEFAULT_OUTPUT_LIMITS } from './jobs/index.js';
export { createLogSink } from './log/index.js';
export { GatewayMetrics } from './metrics/index.js';
export type { IGatewayMetricsSources } from './metrics/index.js';
export type { ILogFields, ILogSinkOptions, LogSink } from './log/index.js';

// @internal: for the gateway's own tests (see each declaration).
export { OUTPUT_LIMITS } from './kernels/index.js';
export { SANDBOX_ID } from './sandbox/index.js';
export { IndexProxy, hostConstraints, pipSandboxArgv } from './jobs/index.js';
