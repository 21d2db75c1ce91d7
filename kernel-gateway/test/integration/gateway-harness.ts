import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import {
  createGateway,
  createKernelLauncher,
  KernelManager
} from '@jaxlab/kernel-gateway';
import type {
  ICredentialSource,
  IGateway,
  IKernelLauncher,
  IProjectSource
} from '@jaxlab/kernel-gateway';

/** A small JAX program: streamed lines, an SGR colour, a title escape, a metric line. */
export const JAX_PROGRAM = `import time

import jax.numpy as jnp


def main(n=3):
    """Prints n lines, then a loss."""
    for i in range(n):
        print("line", i, flush=True)
    print("\\x1b[32mgreen\\x1b[0m \\x1b]0;title\\x07", flush=True)
    print("Final loss:", float(jnp.sum(jnp.arange(4.0))))
    return {"total": 6.0}


def train_step(seconds=30):
    for _ in range(seconds * 10):
        time.sleep(0.1)
    return {"done": 1.0}
`;

/** A running gateway on a free port with its own data folder. */
export interface ITestGateway {
  gateway: IGateway;
  kernels: KernelManager;
  port: number;
  token: string;
  baseUrl: string;
  log: string[];
  /** fetch against the gateway with the token. */
  api(path: string, init?: RequestInit): Promise<Response>;
  dispose(): Promise<void>;
}

/**
 * Starts a gateway with the real sandbox launcher; `limits` changes its
 * kernels' default limits.
 */
export async function startTestGateway(
  options: Partial<KernelManager.IOptions> & {
    allowOrigins?: string[];
    projects?: IProjectSource;
    limits?: Partial<IKernelLauncher.IResourceLimits>;
    accounts?: ICredentialSource;
  } = {}
): Promise<ITestGateway> {
  const dataDir = mkdtempSync('/tmp/jl-gw-');
  chmodSync(dataDir, 0o755);
  const log: string[] = [];
  const kernels = new KernelManager({
    launcher: createKernelLauncher({
      log: line => log.push(line),
      limits: options.limits
    }),
    dataDir,
    log: line => log.push(line),
    ...options
  });
  const token = 'test-token-' + Math.random().toString(36).slice(2);
  const gateway = createGateway({
    kernels,
    token,
    allowOrigins: options.allowOrigins,
    projects: options.projects,
    accounts: options.accounts,
    log: line => log.push(line)
  });
  const { port } = await gateway.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    gateway,
    kernels,
    port,
    token,
    baseUrl,
    log,
    api: (path, init = {}) =>
      fetch(`${baseUrl}${path}`, {
        ...init,
        headers: { Authorization: `token ${token}`, ...(init.headers ?? {}) }
      }),
    dispose: async () => {
      await gateway.close();
      await kernels.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
}
