import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const projectDir = fileURLToPath(new URL('.', import.meta.url));
const jarPath = join(projectDir, 'target', 'mongo-standin.jar');
const sources = [
  join(projectDir, 'pom.xml'),
  join(projectDir, 'src/main/java/dev/jaxlab/mongostandin/Main.java')
];

/** A running mongo-java-server and how to reach and stop it. */
export interface IMongoJavaServer {
  uri: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Builds the stand-in's runnable jar with Maven when it is missing or older
 * than its sources: offline first (a warm ~/.m2), else from Maven Central.
 */
export function ensureMongoJavaServerJar(): string {
  const jarTime = existsSync(jarPath) ? statSync(jarPath).mtimeMs : 0;
  if (jarTime > 0 && sources.every(f => statSync(f).mtimeMs <= jarTime)) {
    return jarPath;
  }
  const run = (extra: string[]): boolean =>
    spawnSync('mvn', ['-q', '-B', ...extra, 'package'], {
      cwd: projectDir,
      stdio: 'inherit',
      timeout: 110_000
    }).status === 0;
  if (!run(['-o']) && !run([])) {
    throw new Error(
      `Building ${jarPath} with Maven failed; run "mvn -B package" in ${projectDir}.`
    );
  }
  return jarPath;
}

/**
 * Starts mongo-java-server on a free port of 127.0.0.1, with its oplog on
 * (it serves change streams) unless `oplog` is false (it then answers like
 * a standalone MongoDB server, which has none).
 */
export async function startMongoJavaServer(
  options: { oplog?: boolean } = {}
): Promise<IMongoJavaServer> {
  const jar = ensureMongoJavaServerJar();
  const args = ['-Xmx512m', '-jar', jar, '0'];
  if (options.oplog === false) args.push('--no-oplog');
  const child: ChildProcess = spawn('java', args, {
    stdio: ['pipe', 'pipe', 'inherit']
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      reject(new Error(`mongo-java-server did not start: ${out}`));
    }, 30_000);
    child.once('exit', code => {
      clearTimeout(timer);
      reject(new Error(`mongo-java-server exited with ${code}: ${out}`));
    });
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  return {
    uri: `mongodb://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
}
