/**
 * Team mode's idle culling end to end: a hub whose idle timeout is seconds
 * (JAXLAB_IDLE_TIMEOUT_S, through startLab), the real
 * jupyterhub-idle-culler, one user in headless Chromium.
 */
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountOf,
  inPage,
  printLabOutputOnFailure,
  processesOf,
  serverCredentialOf,
  signIn,
  startTeamLab,
  userPath,
  type ITeamLab
} from './team-lab.js';

/** Long enough that an open JupyterLab (it polls every 10 s) is in use. */
const IDLE_TIMEOUT_S = 20;
/** How often the hub collects activity and the culler looks (a sixth). */
const CHECK_S = Math.floor(IDLE_TIMEOUT_S / 6);

const CLEO = { sub: '2101', email: 'cleo@example.com', name: 'Cleo Park' };
const NOTE = {
  path: 'notes.txt',
  content: 'written before the server slept\n'
};

let team: ITeamLab;
let browser: Browser;
let context: BrowserContext;

/** Cleo's servers as the hub's REST API lists them (her own session). */
async function hubServers(): Promise<Record<string, { ready: boolean }>> {
  const res = await context.request.get(`${team.lab.hubUrl}/hub/api/user`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { servers: Record<string, { ready: boolean }> })
    .servers;
}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('team mode: idle servers are culled (jupyterhub-idle-culler)', () => {
  beforeAll(async () => {
    team = await startTeamLab({ idleTimeoutS: IDLE_TIMEOUT_S });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run']
    });
    context = await browser.newContext({
      viewport: { width: 1100, height: 760 }
    });
  }, 200_000);

  printLabOutputOnFailure(() => team);

  afterAll(async () => {
    await browser?.close();
    await team?.stop();
  }, 120_000);

  it('should keep a server in use, stop it once idle, and start it again on the next visit with the files intact', async () => {
    const page = await signIn(team, CLEO, context);
    const labApi = `${team.lab.hubUrl}${userPath(CLEO.email)}/api`;
    const saved = await inPage(
      page,
      `${labApi}/contents/${NOTE.path}`,
      'PUT',
      JSON.stringify({ type: 'file', format: 'text', content: NOTE.content })
    );
    expect(saved.status).toBe(201);
    const { uid } = accountOf(team.homeRoot, CLEO.email);
    const credential = serverCredentialOf(uid);
    const firstServer = processesOf(uid).map(p => p.pid);
    expect(firstServer.length).toBeGreaterThan(0);

    // In use (JupyterLab open) for longer than the idle timeout: it stays.
    await page.waitForTimeout((IDLE_TIMEOUT_S + 2 * CHECK_S) * 1000);
    expect(Object.keys(await hubServers())).toEqual(['']);
    expect(firstServer.every(isRunning)).toBe(true);

    // Left alone: the culler stops it; the hub lists no server, its
    // process is gone and its gateway credential revoked.
    await page.close();
    await expect
      .poll(hubServers, {
        timeout: (2 * IDLE_TIMEOUT_S + 30) * 1000,
        interval: 1000
      })
      .toEqual({});
    expect(team.lab.output()).toMatch(
      /Culling server cleo@example\.com \(inactive for/
    );
    await expect
      .poll(() => firstServer.filter(isRunning), { timeout: 5000 })
      .toEqual([]);
    expect(processesOf(uid)).toEqual([]);
    expect(
      (
        await fetch(`${team.lab.gatewayUrl}/api/kernels`, {
          headers: { Authorization: `token ${credential}` }
        })
      ).status
    ).toBe(401);

    // The next visit starts a new server, which reads what she wrote.
    const back = await signIn(team, CLEO, context);
    expect(Object.values(await hubServers())).toMatchObject([{ ready: true }]);
    const secondServer = processesOf(uid).map(p => p.pid);
    expect(secondServer.length).toBeGreaterThan(0);
    expect(secondServer.filter(pid => firstServer.includes(pid))).toEqual([]);
    await back
      .locator('.jp-DirListing-item', { hasText: NOTE.path })
      .waitFor({ timeout: 30_000 });
    const read = await inPage(back, `${labApi}/contents/${NOTE.path}`);
    expect(read.status).toBe(200);
    expect((JSON.parse(read.body) as { content: string }).content).toBe(
      NOTE.content
    );
  }, 400_000);
});
