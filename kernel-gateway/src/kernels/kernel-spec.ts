import { execFile } from 'node:child_process';

import {
  DEFAULT_DESIGNATED_FUNCTIONS,
  JaxLabError,
  KERNEL_DISPLAY_NAME,
  KERNEL_SPEC_NAME
} from '@jaxlab/schemas';
import type { LogSink } from '../log/gateway-log.js';

/** A kernel spec as jupyter_server's GET /api/kernelspecs/{name} answers it. */
export interface IKernelSpecModel {
  name: string;
  spec: {
    argv: string[];
    display_name: string;
    language: string;
    interrupt_mode: 'signal' | 'message';
    env: Record<string, string>;
    metadata: Record<string, unknown>;
  };
  resources: Record<string, string>;
}

/**
 * The `jaxlab` kernel spec, read from the harness itself
 * (`<python> -m jaxlab_harness kernelspec-json`), with
 * `metadata.jaxlab.sandboxed` set from the launcher. Falls back to a spec
 * built here when the harness cannot be run.
 */
export async function loadKernelSpec(options: {
  python: string;
  isSandboxed: boolean;
  log?: LogSink;
}): Promise<IKernelSpecModel> {
  let spec: IKernelSpecModel['spec'];
  try {
    const text = await new Promise<string>((resolve, reject) =>
      execFile(
        options.python,
        ['-I', '-m', 'jaxlab_harness', 'kernelspec-json'],
        { timeout: 30_000, env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } },
        (error, stdout) => (error ? reject(error) : resolve(stdout))
      )
    );
    spec = {
      env: {},
      ...(JSON.parse(text) as Omit<IKernelSpecModel['spec'], 'env'>)
    };
  } catch (error) {
    options.log?.(
      `WARNING: could not read the kernel spec from the harness (${String(error)}); using a built-in one`
    );
    spec = {
      argv: [
        options.python,
        '-I',
        '-m',
        'jaxlab_harness',
        '-f',
        '{connection_file}'
      ],
      display_name: KERNEL_DISPLAY_NAME,
      language: 'python',
      interrupt_mode: 'signal',
      env: {},
      metadata: {
        jaxlab: {
          designatedFunctions: [...DEFAULT_DESIGNATED_FUNCTIONS],
          allowedImports: [],
          harnessVersion: 'unknown',
          sandboxed: options.isSandboxed
        },
        debugger: false
      }
    };
  }
  const jaxlab = spec.metadata?.jaxlab as Record<string, unknown> | undefined;
  if (!jaxlab) {
    throw new JaxLabError(
      'INTERNAL',
      'The harness kernel spec has no metadata.jaxlab'
    );
  }
  jaxlab.sandboxed = options.isSandboxed;
  return { name: KERNEL_SPEC_NAME, spec, resources: {} };
}
