// The processes of one running lab: started in their own process groups,
// their output collected line by line with the process's name, and stopped
// together (SIGTERM to each group, SIGKILL after a grace period).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A group of child processes of one lab.
 *
 * @param {object} options
 * @param {string} options.cwd working folder of every process
 * @param {NodeJS.ProcessEnv} options.env environment of every process
 * @param {(line: string) => void} [options.onOutput] each output line, prefixed by process
 */
export function processGroup(options) {
  const children = [];
  let log = '';
  const note = (name, line) => {
    log += `[${name}] ${line}\n`;
    options.onOutput?.(`[${name}] ${line}`);
  };
  return {
    /** Everything printed so far. */
    output: () => log,
    /** Adds a line to the output as if `name` had printed it. */
    note,
    /**
     * Starts `command` in its own process group.
     *
     * @param {string} name prefix of its output lines
     * @param {number} [graceMs] how long `stop()` waits after SIGTERM
     */
    start(name, command, args, extraEnv = {}, graceMs = 8000) {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: { ...options.env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true
      });
      const collect = chunk => {
        for (const line of chunk.toString().split('\n'))
          if (line) note(name, line);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      children.push({ child, graceMs });
      return child;
    },
    /** Stops every process, the last started first. */
    async stop() {
      for (const { child, graceMs } of children.reverse())
        await stopChild(child, graceMs);
    }
  };
}

function stopChild(child, graceMs) {
  return new Promise(done => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const kill = signal => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      kill('SIGKILL');
      done();
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    kill('SIGTERM');
  });
}

/** A TCP port nothing listens on right now. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Polls `probe` until it answers non-null; throws `message()` after `timeoutMs`. */
export async function waitFor(probe, timeoutMs, message) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(message());
    await new Promise(r => setTimeout(r, 200));
  }
}

/**
 * Waits until `url` answers with a status `isReady` accepts (default: below
 * 500); gives up at once when `child` (the process that should answer) has
 * exited.
 */
export async function waitForHttp(
  url,
  timeoutMs,
  message,
  child,
  isReady = status => status < 500
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null))
      throw new Error(message());
    try {
      if (isReady((await fetch(url)).status)) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(message());
    await new Promise(r => setTimeout(r, 300));
  }
}
