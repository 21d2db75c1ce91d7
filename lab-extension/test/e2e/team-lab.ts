/**
 * Team mode for the end-to-end tests: the real server (Google sign-in
 * pointed at the stand-in, OpenID provider for the hub), gateway,
 * JupyterHub with configurable-http-proxy and the spawner that creates
 * system accounts (under a temp home root), and what the tests read of it.
 */
import { spawnSync } from 'node:child_process';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync
} from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach } from 'vitest';
import { REPO_ROOT, startLab } from '../../../scripts/start-lab.mjs';
import {
  OAuthStandIn,
  type IStandInUser
} from '../../../server/test/stand-ins/oauth-stand-in.js';

export type IRunningLab = Awaited<ReturnType<typeof startLab>>;

export interface ITeamLab {
  lab: IRunningLab & { hubUrl: string };
  /** Who the next Google sign-in is: set `google.user`. */
  google: OAuthStandIn;
  /** Where the users' homes are (removed, with their accounts, by stop). */
  homeRoot: string;
  stop(): Promise<void>;
}

/** Starts a team-mode lab whose Google sign-in is the stand-in. */
export async function startTeamLab(options: {
  adminEmails?: string[];
  idleTimeoutS?: number;
}): Promise<ITeamLab> {
  const google = new OAuthStandIn();
  await google.start();
  const homeRoot = mkdtempSync('/tmp/jxl-homes-');
  const stop = async (lab?: IRunningLab) => {
    await lab?.stop();
    await google.stop();
    spawnSync(join(REPO_ROOT, '.venv/bin/python'), [
      '-c',
      'import sys, pathlib; from jaxlab_hub.system_users import remove_system_accounts as r; print(r(pathlib.Path(sys.argv[1])))',
      homeRoot
    ]);
    rmSync(homeRoot, { recursive: true, force: true });
  };
  try {
    const lab = await startLab({
      mode: 'team',
      homeRoot,
      ...options,
      env: {
        GOOGLE_CLIENT_ID: 'hub-e2e',
        GOOGLE_CLIENT_SECRET: 'hub-e2e-secret',
        GOOGLE_CALLBACK_URL: '/auth/google/callback',
        GOOGLE_AUTHORIZATION_URL: `${google.url}/authorize`,
        GOOGLE_TOKEN_URL: `${google.url}/token`,
        GOOGLE_USERINFO_URL: `${google.url}/userinfo`
      }
    });
    return {
      lab: lab as ITeamLab['lab'],
      google,
      homeRoot,
      stop: () => stop(lab)
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * After each failed test, prints what the hub, server and gateway said
 * last (request lines left out): a timeout alone does not say why.
 */
export function printLabOutputOnFailure(
  team: () => ITeamLab | undefined
): void {
  afterEach(({ task }) => {
    if (task.result?.state !== 'fail') return;
    console.log(
      team()
        ?.lab.output()
        .split('\n')
        .filter(l => !/ServerApp\] 20[0-9] (GET|PUT|PATCH)|static/.test(l))
        .slice(-400)
        .join('\n')
    );
  });
}

/** Where the hub serves `email`'s JupyterLab. */
export const userPath = (email: string): string => `/user/${email}`;

/**
 * Signs `who` in from the hub's front page, as a visit does (the hub
 * starts their server if it is not running), and waits for their
 * JupyterLab.
 */
export async function signIn(
  team: ITeamLab,
  who: IStandInUser,
  context: BrowserContext
): Promise<Page> {
  team.google.user = { sub: who.sub, email: who.email, name: who.name };
  const page = await context.newPage();
  await page.goto(`${team.lab.hubUrl}/hub/`);
  await page.waitForURL(
    url => url.pathname.startsWith(`${userPath(who.email)}/lab`),
    { timeout: 120_000 }
  );
  // The launcher, or the notebook a returning user had open.
  await page
    .locator('.lm-MenuBar-itemLabel', { hasText: 'File' })
    .waitFor({ timeout: 90_000 });
  return page;
}

/** The account a hub user got (its home's owner). */
export function accountOf(
  homeRoot: string,
  email: string
): { home: string; uid: number; gid: number } {
  const local = email.split('@')[0];
  const name = readdirSync(homeRoot).find(n => n.startsWith(`jxl-${local}-`));
  if (!name) throw new Error(`no account of ${email} under ${homeRoot}`);
  const home = join(homeRoot, name);
  const { uid, gid } = statSync(home);
  return { home, uid, gid };
}

/** The processes running as `uid`, with their environment (root reads it). */
export function processesOf(uid: number): { pid: number; env: string[] }[] {
  const found: { pid: number; env: string[] }[] = [];
  for (const pid of readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    try {
      if (statSync(`/proc/${pid}`).uid !== uid) continue;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      found.push({ pid: Number(pid), env });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The gateway credential the hub gave the server running as `uid`. */
export function serverCredentialOf(uid: number): string {
  const prefix = 'JUPYTER_GATEWAY_AUTH_TOKEN=';
  for (const { env } of processesOf(uid)) {
    const token = env.find(e => e.startsWith(prefix));
    if (token) return token.slice(prefix.length);
  }
  throw new Error(`no single-user server of uid ${uid}`);
}

/** `fetch` inside `page` (its cookies; JupyterLab's XSRF header for writes). */
export async function inPage(
  page: Page,
  url: string,
  method = 'GET',
  body?: string
): Promise<{ status: number; body: string }> {
  return page.evaluate(
    async ({ url, method, body }) => {
      const xsrf = /_xsrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
      const isSameOrigin =
        new URL(url, location.href).origin === location.origin;
      const res = await fetch(url, {
        method,
        body,
        credentials: 'include',
        headers: isSameOrigin ? { 'X-XSRFToken': decodeURIComponent(xsrf) } : {}
      });
      return { status: res.status, body: await res.text() };
    },
    { url, method, body }
  );
}
