import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Options of {@link pipSandboxArgv}. */
export interface IPipSandboxOptions {
  /** The venv python that runs pip (its venv and base install go in read-only). */
  python: string;
  /** The only writable folder: the environment being built. */
  buildDir: string;
  /** pip's wheel cache, writable, shared by builds of this host. */
  cacheDir: string;
  /** Files pip reads (constraints, requirements): read-only. */
  readOnlyFiles: string[];
  /** The Unix socket of the {@link IndexProxy}: the build's only way out. */
  indexProxySocket: string;
  /** The pip command to run inside (python, then pip's arguments). */
  command: string[];
}

/** Where the index proxy's socket appears inside the sandbox. */
const PROXY_SOCKET_INSIDE = '/run/jaxlab-index.sock';

/**
 * Runs inside the sandbox, in front of pip: listens on the sandbox's own
 * loopback and forwards each connection to the index proxy's Unix socket,
 * then runs the pip command given after the socket path with `--proxy`
 * pointing there. The sandbox has no other network.
 */
const FORWARDER_PY = `
import socket, subprocess, sys, threading

socket_path, command = sys.argv[1], sys.argv[2:]
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(64)


def pump(source, sink):
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    try:
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve():
    while True:
        client, _ = listener.accept()
        upstream = socket.socket(socket.AF_UNIX)
        try:
            upstream.connect(socket_path)
        except OSError:
            client.close()
            continue
        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()


threading.Thread(target=serve, daemon=True).start()
proxy = "http://127.0.0.1:%d" % listener.getsockname()[1]
sys.exit(subprocess.call(command + ["--proxy", proxy]))
`;

/**
 * The bubblewrap command line that runs pip for a requirements environment:
 * every namespace unshared, the network included, a cleared environment,
 * only /usr, the venv, its base Python and the TLS certificates mounted
 * read-only, only the build folder and the wheel cache writable. The one
 * way out is the index proxy's socket, reached through a forwarder on the
 * sandbox's loopback that pip uses as its proxy; the proxy opens tunnels
 * to the package index only. The process dies with its parent. Wheels-only
 * installs (`--only-binary=:all:`) mean no downloaded code runs during the
 * build.
 *
 * @returns argv, `bwrap` first.
 * @internal The package entry exports it for the gateway's tests only.
 */
export function pipSandboxArgv(options: IPipSandboxOptions): string[] {
  const venvBin = path.dirname(path.resolve(options.python));
  const venvDir = path.dirname(venvBin);
  // The venv's python is a symlink into the base install (pyenv, /usr/local).
  const baseDir = path.dirname(path.dirname(realpathSync(options.python)));
  const readOnly = new Set<string>([
    venvDir,
    baseDir,
    ...options.readOnlyFiles
  ]);
  const argv = [
    'bwrap',
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--setenv',
    'PATH',
    `${venvBin}:/usr/bin:/bin`,
    '--setenv',
    'HOME',
    options.buildDir,
    '--setenv',
    'LANG',
    'C.UTF-8',
    '--ro-bind',
    '/usr',
    '/usr',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    // Before any bind, so that folders under /tmp (tests) stay visible.
    '--tmpfs',
    '/tmp'
  ];
  for (const link of ['bin', 'lib', 'lib64', 'sbin']) {
    if (existsSync(`/usr/${link}`)) {
      argv.push('--symlink', `usr/${link}`, `/${link}`);
    }
  }
  for (const file of ['/etc/ssl', '/etc/ca-certificates', '/etc/pki']) {
    argv.push('--ro-bind-try', file, file);
  }
  for (const dir of readOnly) {
    if (!dir.startsWith('/usr/')) {
      argv.push('--ro-bind', dir, dir);
    }
  }
  argv.push(
    '--bind',
    options.buildDir,
    options.buildDir,
    '--bind',
    options.cacheDir,
    options.cacheDir,
    '--bind',
    options.indexProxySocket,
    PROXY_SOCKET_INSIDE,
    '--chdir',
    options.buildDir,
    '--',
    options.python,
    '-I',
    '-c',
    FORWARDER_PY,
    PROXY_SOCKET_INSIDE,
    ...options.command
  );
  return argv;
}
