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
  /** The command to run inside (python, then pip's arguments). */
  command: string[];
}

/**
 * The bubblewrap command line that runs pip for a requirements environment:
 * every namespace unshared but the network, a cleared environment, only
 * /usr, the venv, its base Python and the few /etc files name resolution
 * and TLS need mounted read-only, and only the build folder and the wheel
 * cache writable. The process dies with its parent.
 *
 * The network is the host's: bubblewrap cannot limit it to the package
 * index. Enforcing that needs a network namespace whose only route is an
 * egress proxy allowing the index hosts (e.g. slirp4netns or a veth pair
 * plus an HTTP CONNECT proxy with an allow-list). Wheels-only installs
 * (`--only-binary=:all:`) mean no downloaded code runs during the build.
 *
 * @returns argv, `bwrap` first.
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
    '--share-net',
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
  for (const file of [
    '/etc/resolv.conf',
    '/etc/hosts',
    '/etc/nsswitch.conf',
    '/etc/ssl',
    '/etc/ca-certificates',
    '/etc/pki'
  ]) {
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
    '--chdir',
    options.buildDir,
    '--',
    ...options.command
  );
  return argv;
}
