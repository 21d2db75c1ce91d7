/**
 * The hostile-program suite through the REAL gateway path: every program
 * under programs/ is written into a kernel's folder by the KernelManager,
 * its `main()` executed by the real harness inside the real bubblewrap
 * sandbox, and judged by what a user sees: the execute_reply, the iopub
 * output (sanitised by the kernel manager), the kernel's exit reason when
 * the sandbox killed it, no process of the sandbox left after shutdown,
 * and a gateway that still starts kernels and answers HTTP.
 *
 * - Programs the loader rejects are executed with the default allow-list
 *   and must answer `LoadRejected` naming their rule.
 * - The others (the standard library is always importable) reach the
 *   sandbox; harmless ones share one kernel,
 *   destructive ones (limits, never-ending) get a kernel each with small
 *   limits.
 *
 * One table-driven suite over programs/ on one KernelManager: one file over
 * ~400 lines.
 */
import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { KernelMessage } from '@jupyterlab/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { METRICS_MIME_TYPE, isValid } from '@jaxlab/schemas';

import { isRunning, sandboxProcesses } from '../sandbox-processes.js';
import {
  createGateway,
  createKernelLauncher,
  createLogSink,
  KernelManager,
  OUTPUT_LIMITS
} from '@jaxlab/kernel-gateway';
import type { IGateway, KernelSession } from '@jaxlab/kernel-gateway';

const PROGRAMS = fileURLToPath(new URL('./programs/', import.meta.url));

/** Limits of the kernels that are meant to be killed. */
const SMALL_LIMITS = {
  memoryMaxBytes: 512 * 1024 ** 2,
  pidsMax: 64,
  wallClockLimitMs: 5000
};

const TRIVIAL =
  'def main():\n    print("hello from main")\n    return {"answer": 42.0}\n';

interface IProgram {
  file: string;
  attack: string;
  loaderRule: string;
  sandbox: string;
  source: string;
}

const programs: IProgram[] = readdirSync(PROGRAMS)
  .filter(f => f.endsWith('.py'))
  .sort()
  .map(file => {
    const source = readFileSync(path.join(PROGRAMS, file), 'utf8');
    const header = (name: string): string =>
      new RegExp(`^# ${name}: (.+)$`, 'm').exec(source)?.[1]?.trim() ?? '';
    return {
      file,
      attack: header('Attack'),
      loaderRule: header('Loader'),
      sandbox: header('Sandbox'),
      source
    };
  });

/** Programs whose attack gets past the loader. */
const reachSandbox = programs.filter(p => p.loaderRule === 'ok');
const harmless = reachSandbox.filter(p => p.sandbox === 'clean');
const destructive = reachSandbox.filter(p => p.sandbox !== 'clean');

/** What one `main()` call showed a user. */
interface ICall {
  reply?: KernelMessage.IExecuteReplyMsg['content'];
  error?: { code?: string };
  iopub: KernelMessage.IIOPubMessage[];
  text: string;
}

function streamText(iopub: KernelMessage.IIOPubMessage[]): string {
  return iopub
    .filter(m => m.header.msg_type === 'stream')
    .map(m => (m.content as { text: string }).text)
    .join('');
}

function metricsBundles(iopub: KernelMessage.IIOPubMessage[]): unknown[] {
  return iopub
    .filter(m => m.header.msg_type === 'display_data')
    .map(
      m =>
        (m.content as { data: Record<string, unknown> }).data[METRICS_MIME_TYPE]
    )
    .filter(data => data !== undefined);
}

async function call(kernel: KernelSession, code = 'main()'): Promise<ICall> {
  const iopub: KernelMessage.IIOPubMessage[] = [];
  const result: ICall = { iopub, text: '' };
  try {
    result.reply = await kernel.execute(code, {
      onIOPub: msg => {
        iopub.push(msg);
      }
    });
  } catch (error) {
    result.error = error as { code?: string };
  }
  result.text = streamText(iopub);
  return result;
}

/** What every message a user receives must satisfy, whatever the program did. */
function expectSanitised(iopub: KernelMessage.IIOPubMessage[]): void {
  const note = 200;
  const check = (value: unknown): void => {
    if (typeof value === 'string') {
      expect(value.length).toBeLessThanOrEqual(
        OUTPUT_LIMITS.maxStringChars + note
      );
      expect(value).not.toMatch(/\x1b(?!\[[0-9;]*m)/);
      expect(value.isWellFormed()).toBe(true);
    } else if (value && typeof value === 'object') {
      for (const v of Object.values(value)) check(v);
    }
  };
  for (const msg of iopub) {
    check(msg.content);
    if (msg.header.msg_type === 'status') {
      expect(['busy', 'idle', 'starting']).toContain(
        (msg.content as { execution_state: string }).execution_state
      );
    }
  }
  for (const metrics of metricsBundles(iopub))
    expect(isValid('metrics', metrics)).toBe(true);
}

describe('hostile programs through KernelManager and the real sandbox', () => {
  let dataDir: string;
  let kernels: KernelManager;
  let gateway: IGateway;
  let baseUrl: string;
  const token = 'hostile-token';
  const log: string[] = [];

  async function listedKernels(): Promise<
    { id: string; execution_state: string }[]
  > {
    const res = await fetch(`${baseUrl}/api/kernels`, {
      headers: { Authorization: `token ${token}` }
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { id: string; execution_state: string }[];
  }

  /** Shuts `kernel` down and checks that no process of its sandbox is left. */
  async function shutdownAndCheck(kernel: KernelSession): Promise<void> {
    const before = sandboxProcesses(kernel.id, kernel.jobDir);
    await kernels.shutdownKernel(kernel.id);
    expect(sandboxProcesses(kernel.id, kernel.jobDir)).toEqual([]);
    for (const proc of before)
      expect(isRunning(proc), `${proc.comm} ${proc.pid}`).toBe(false);
    expect((await listedKernels()).map(k => k.id)).not.toContain(kernel.id);
  }

  /** A fresh kernel of the same manager runs a trivial main(), and HTTP answers. */
  async function expectHealthy(): Promise<void> {
    const fresh = await kernels.startKernel({ files: { 'main.py': TRIVIAL } });
    const result = await call(fresh);
    expect(result.reply?.status).toBe('ok');
    expect(result.text).toContain('hello from main');
    expect((await listedKernels()).map(k => k.id)).toContain(fresh.id);
    await shutdownAndCheck(fresh);
  }

  beforeAll(async () => {
    // The gateway's own environment holds a secret the sandbox must not see.
    process.env.JAXLAB_TEST_SECRET = 'hunter2';
    dataDir = mkdtempSync('/tmp/jl-hg-');
    chmodSync(dataDir, 0o755);
    // The gateway command's own sink, writing JSON lines.
    const sink = createLogSink({ json: true, write: line => log.push(line) });
    kernels = new KernelManager({
      launcher: createKernelLauncher({
        log: sink,
        limits: {
          memoryMaxBytes: 1024 ** 3,
          pidsMax: 128,
          cpuTimeLimitS: 60,
          wallClockLimitMs: 180_000,
          fileSizeMaxBytes: 8 * 1024 ** 2,
          tmpSizeMaxBytes: 16 * 1024 ** 2
        }
      }),
      dataDir,
      log: sink
    });
    gateway = createGateway({ kernels, token });
    const { port } = await gateway.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    delete process.env.JAXLAB_TEST_SECRET;
    await gateway?.close();
    await kernels?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('with the default allow-list: the loader rejects, nothing runs', () => {
    let kernel: KernelSession;
    beforeAll(async () => {
      kernel = await kernels.startKernel();
    });
    afterAll(async () => {
      if (kernel) await shutdownAndCheck(kernel);
    });

    for (const program of programs.filter(p => p.loaderRule !== 'ok')) {
      it(`should answer LoadRejected [${program.loaderRule}]: ${program.file}`, async () => {
        await kernels.writeFiles(kernel.id, { 'main.py': program.source });
        const result = await call(kernel);
        expect(result.reply?.status).toBe('error');
        const reply = result.reply as KernelMessage.IReplyErrorContent;
        expect(reply.ename).toBe('LoadRejected');
        expect(reply.evalue).toMatch(/line \d+, column \d+ \[[a-z-]+\]/);
        expect([reply.evalue, ...reply.traceback].join('\n')).toContain(
          `[${program.loaderRule}]`
        );
        expect(result.iopub.some(m => m.header.msg_type === 'error')).toBe(
          true
        );
        // Not a line of the program ran: no marker, no metrics.
        expect(result.text).not.toMatch(/CONTAINED|ESCAPED|READY/);
        expect(metricsBundles(result.iopub)).toEqual([]);
      });
    }

    it('should keep serving after every rejection', async () => {
      await kernels.writeFiles(kernel.id, { 'main.py': TRIVIAL });
      const result = await call(kernel);
      expect(result.reply?.status).toBe('ok');
      expect(result.text).toBe('hello from main\n');
    });
  });

  describe('past the loader: harmless attacks in one shared kernel', () => {
    let kernel: KernelSession;
    beforeAll(async () => {
      kernel = await kernels.startKernel({});
    });
    afterAll(async () => {
      if (kernel) await shutdownAndCheck(kernel);
    });

    for (const program of harmless) {
      it(`should contain ${program.file}: ${program.attack}`, async () => {
        await kernels.writeFiles(kernel.id, { 'main.py': program.source });
        const result = await call(kernel);
        expect(result.error).toBeUndefined();
        expect(result.reply?.status, result.text.slice(-2000)).toBe('ok');
        expect(result.text).not.toContain('ESCAPED');
        expect(result.text).toContain('CONTAINED');
        expectSanitised(result.iopub);
        expect(kernel.isDead).toBe(false);
        CHECKS[program.file]?.(result, log);
      });
    }

    it('should still run a trivial main() in the same kernel afterwards', async () => {
      await kernels.writeFiles(kernel.id, { 'main.py': TRIVIAL });
      const result = await call(kernel);
      expect(result.reply?.status).toBe('ok');
      expect(result.text).toContain('hello from main');
    });
  });

  describe('past the loader: destructive attacks, one small kernel each', () => {
    for (const program of destructive) {
      it(`should contain ${program.file}: ${program.attack}`, async () => {
        const isDispose = program.sandbox === 'dispose';
        const kernel = await kernels.startKernel({
          files: { 'main.py': program.source },
          // Only the wall-clock programs are meant to meet the timer: the
          // others (never-ending ones ended by shutdown, and the pids and
          // memory limits) get a timer that a slow kernel start under load
          // cannot reach first.
          limits:
            program.sandbox === 'limit=wall-clock'
              ? SMALL_LIMITS
              : { ...SMALL_LIMITS, wallClockLimitMs: 60_000 }
        });
        if (isDispose) {
          const iopub: KernelMessage.IIOPubMessage[] = [];
          const running = kernel.execute('main()', {
            onIOPub: msg => {
              iopub.push(msg);
            }
          });
          running.catch(() => undefined);
          const t0 = Date.now();
          while (
            !streamText(iopub).includes('READY') &&
            Date.now() - t0 < 20_000
          ) {
            await new Promise(resolve => setTimeout(resolve, 50));
          }
          expect(streamText(iopub)).toContain('READY');
          await new Promise(resolve => setTimeout(resolve, 300));
          // the kernel and what it started (a daemon in a new session)
          const inside = sandboxProcesses(kernel.id, kernel.jobDir);
          expect(inside.length).toBeGreaterThanOrEqual(2);
          await shutdownAndCheck(kernel);
          await expect(running).rejects.toMatchObject({ code: 'KERNEL_DEAD' });
          for (const proc of inside) expect(isRunning(proc)).toBe(false);
        } else if (program.sandbox === 'exit') {
          // The gateway itself stopped the kernel for breaking the protocol.
          const result = await call(kernel);
          expect(result.text).toContain('READY');
          expect(result.error?.code).toBe('KERNEL_DEAD');
          expect((await kernel.exited).limit).toBe('message-size');
          expect(kernel.model.execution_state).toBe('dead');
          expect(
            log.some(
              l =>
                l.includes(`kernel ${kernel.id} died`) &&
                l.includes('message frame over')
            )
          ).toBe(true);
          await shutdownAndCheck(kernel);
        } else {
          const result = await call(kernel);
          expect(result.text).not.toContain('ESCAPED');
          expectSanitised(result.iopub);
          const limit = program.sandbox.slice('limit='.length);
          if (limit === 'pids') {
            // The refusal reached the user; then the harness, reporting the
            // run's devices, starts XLA's CPU client, whose thread pool
            // cannot start (pthread_create EAGAIN): XLA aborts the kernel
            // and the sandbox reports the pids limit.
            expect(result.text).toMatch(/CONTAINED: (fork|thread) refused/);
          }
          // The sandbox killed the kernel: the call fails as KERNEL_DEAD,
          // the kernel's exit and the log say why, and it is listed as dead.
          expect(result.error?.code).toBe('KERNEL_DEAD');
          const exit = await kernel.exited;
          expect(exit.limit).toBe(limit);
          expect(kernel.model.execution_state).toBe('dead');
          expect(await listedKernels()).toContainEqual(
            expect.objectContaining({ id: kernel.id, execution_state: 'dead' })
          );
          expect(
            log.some(
              l =>
                l.includes(`kernel ${kernel.id} died`) &&
                l.includes(`${limit} limit`)
            )
          ).toBe(true);
          await shutdownAndCheck(kernel);
        }
        await expectHealthy();
      });
    }
  });
});

/** Program-specific checks of what the user saw (and the gateway logged). */
const CHECKS: Record<
  string,
  (result: ICall, gatewayLog: readonly string[]) => void
> = {
  'invalid_bytes_escapes.py': ({ text }) => {
    expect(text).toContain('\ufffd');
    expect(text).toContain('\u241b]0;pwned');
    expect(text).toContain('\u241b[2J');
    expect(text).toContain('\u241b]52;c;');
    expect(text).toContain('\x1b[31mred\x1b[0m');
  },
  'fake_metrics.py': ({ text, iopub }) => {
    // the forged message is just text; the only metrics are the harness's own, valid ones
    expect(text).toContain('"msg_type": "display_data"');
    const bundles = metricsBundles(iopub);
    expect(bundles).toHaveLength(1);
    const values = (bundles[0] as { values: Record<string, number> }).values;
    for (const value of Object.values(values))
      expect(Number.isFinite(value)).toBe(true);
  },
  'forged_iopub.py': ({ text, iopub }, gatewayLog) => {
    // One JSON object per line: the forged state stayed inside its event,
    // escaped and cut, and no fake 'started' line appeared.
    for (const line of gatewayLog) {
      expect(line.indexOf('\n')).toBe(line.length - 1);
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
    const entries = gatewayLog.map(
      l => JSON.parse(l) as { msg: string; event?: string }
    );
    expect(entries.some(e => e.msg.startsWith('[2026-01-01'))).toBe(false);
    const refused = entries.filter(
      e =>
        e.event === 'kernel:output-refused' && e.msg.includes('00000000-0000')
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]!.msg).toContain('busy\\n[2026-01-01');
    expect(refused[0]!.msg.length).toBeLessThan(400);
    const flood = iopub.find(
      m =>
        m.header.msg_type === 'stream' &&
        (m.content as { text: string }).text.startsWith('FFFF')
    );
    expect(flood).toBeDefined();
    const floodText = (flood!.content as { text: string }).text;
    expect(floodText.length).toBeLessThan(OUTPUT_LIMITS.maxStringChars + 200);
    expect(floodText).toMatch(
      /\[jaxlab-gateway: \d+ more characters of this output were cut\]/
    );
    expect(text).toContain('[jaxlab-gateway] invalid metrics dropped');
    // the harness's own metrics are the only ones, and valid
    expect(metricsBundles(iopub)).toHaveLength(1);
  },
  'output_flood.py': ({ text }) => {
    const lines = text.split('\n');
    expect(lines.filter(l => l === 'x'.repeat(1000))).toHaveLength(5000);
  },
  'output_no_newline.py': ({ text }) => {
    expect(text).toContain(`${'y'.repeat(2_000_000)}\nCONTAINED`);
  },
  'env_secrets.py': () => {
    expect(process.env.JAXLAB_TEST_SECRET).toBe('hunter2');
  }
};
