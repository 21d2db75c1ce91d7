import { constants as osConstants } from 'node:os';

import type { Failure } from '@jaxlab/schemas';
import { failureOf } from '@jaxlab/schemas';

import type { IKernelProcess } from '../../sandbox/kernel-launcher.js';
import { MAX_JSON_PART_BYTES } from '../../wire/wire-codec.js';

/** Signals a process receives when its own code fails, not when it is told to stop. */
const CRASH_SIGNALS = new Set([
  'SIGSEGV',
  'SIGBUS',
  'SIGILL',
  'SIGFPE',
  'SIGABRT'
]);

/**
 * Why a job whose kernel died during its call failed, from how the kernel
 * ended (`exit`; undefined when that is not known): a limit of the sandbox
 * or the gateway, else — since nothing outside the sandbox stopped it and
 * only its own processes can signal it there — the program ended or
 * crashed its own process. `'wall-clock'` is left to the caller, which
 * knows the job's time limit.
 */
export function failureOfKernelExit(
  exit: IKernelProcess.IExit | undefined,
  entrypoint: string,
  cause: unknown
): Failure | 'wall-clock' {
  switch (exit?.limit) {
    case 'memory':
      return failureOf('memoryLimit');
    case 'pids':
      return failureOf('processLimit');
    case 'cpu-time':
      return failureOf('cpuTimeLimit');
    case 'wall-clock':
      return 'wall-clock';
    case 'message-size':
      return failureOf('messageTooLarge', {
        limit: `${MAX_JSON_PART_BYTES / (1024 * 1024)} MiB`
      });
    case 'heartbeat':
      return failureOf('heartbeatLost');
    case undefined:
      break;
  }
  if (!exit) {
    return failureOf('kernelDied', {
      how: 'an unknown reason',
      cause: cause instanceof Error ? `: ${cause.message}` : ''
    });
  }
  const signal = exitSignal(exit);
  if (signal && CRASH_SIGNALS.has(signal)) {
    return failureOf('programCrashed', { signal, entrypoint });
  }
  return failureOf('programExited', {
    how: signal ? `with ${signal}` : `exit code ${exit.code}`,
    entrypoint
  });
}

/** The signal that ended the sandboxed program (bwrap exits 128 + its number), if any. */
function exitSignal(exit: IKernelProcess.IExit): string | undefined {
  if (exit.signal) return exit.signal;
  if (exit.code !== null && exit.code > 128 && exit.code < 128 + 65) {
    const number = exit.code - 128;
    return Object.entries(osConstants.signals).find(
      ([, n]) => n === number
    )?.[0];
  }
  return undefined;
}
