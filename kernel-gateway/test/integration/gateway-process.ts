/**
 * The real `jaxlab-gateway` command (kernel-gateway/lib, built by the test
 * command's bootstrap) as a child process, for tests that must measure or
 * kill the gateway apart from the test's own event loop.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built command. */
export const GATEWAY_BIN = fileURLToPath(
  new URL('../../lib/bin/jaxlab-gateway.js', import.meta.url)
);

/** Resolves once `condition()` holds (true) or `timeoutMs` passed (false). */
export async function until(
  condition: () => boolean,
  timeoutMs: number
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  return true;
}

/** A started gateway process. */
export interface IGatewayProcess {
  child: ChildProcess;
  baseUrl: string;
  port: number;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
}

/**
 * Starts the jaxlab-gateway command (no job runner unless `args` asks)
 * and resolves once it listens.
 */
export async function startGatewayProcess(
  dataDir: string,
  token: string,
  args: string[] = ['--no-run-jobs'],
  env: NodeJS.ProcessEnv = process.env
): Promise<IGatewayProcess> {
  const child = spawn(
    process.execPath,
    [
      GATEWAY_BIN,
      '--port',
      '0',
      '--ip',
      '127.0.0.1',
      '--token',
      token,
      '--data-dir',
      dataDir,
      ...args
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env }
  );
  let output = '';
  child.stdout!.on('data', chunk => (output += String(chunk)));
  child.stderr!.on('data', chunk => (output += String(chunk)));
  const pattern = /listening on (http:\/\/[^\s"]+)/;
  const listening = await until(
    () => pattern.test(output) || child.exitCode !== null,
    30_000
  );
  const baseUrl = pattern.exec(output)?.[1];
  if (!listening || !baseUrl) {
    child.kill('SIGKILL');
    throw new Error(`jaxlab-gateway did not start:\n${output}`);
  }
  return {
    child,
    baseUrl,
    port: Number(new URL(baseUrl).port),
    output: () => output
  };
}
