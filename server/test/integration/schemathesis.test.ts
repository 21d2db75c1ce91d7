import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labPaths } from '@jaxlab/paths';
import { startLabServer } from '../stand-ins/lab-server.js';
import type { ITestLabServer } from '../stand-ins/lab-server.js';

const SCHEMATHESIS = labPaths().venvBin('schemathesis');

let lab: ITestLabServer;
let token = '';
beforeAll(async () => {
  // Generous limits: schemathesis sends many requests quickly.
  const generous = { capacity: 100_000, refillPerMinute: 100_000 };
  lab = await startLabServer({
    rateLimits: { jobs: generous, review: generous }
  });
  const res = await fetch(`${lab.url}/api/tokens`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${lab.localToken}`,
      'content-type': 'application/json'
    },
    body: JSON.stringify({ name: 'schemathesis' })
  });
  token = (await res.json()).token;
});
afterAll(async () => {
  await lab?.close();
});

function run(
  args: string[],
  timeoutMs: number
): Promise<{ code: number | null; out: string }> {
  return new Promise(resolve => {
    const child = spawn(SCHEMATHESIS, args, {
      env: {
        ...process.env,
        SCHEMATHESIS_HOOKS: '',
        NO_COLOR: '1',
        PYTHONUNBUFFERED: '1'
      },
      timeout: timeoutMs,
      killSignal: 'SIGKILL'
    });
    let out = '';
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (out += d));
    child.on('close', code => resolve({ code, out }));
  });
}

describe('GET /api/openapi.json under schemathesis', () => {
  it('should find no server error and no response that breaks the schema', async () => {
    const { code, out } = await run(
      [
        'run',
        `${lab.url}/api/openapi.json`,
        '-H',
        `Authorization: Bearer ${token}`,
        '--checks',
        'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
        '--phases',
        'examples,coverage,fuzzing,stateful',
        '--max-examples',
        '10',
        '--seed',
        '1',
        '--request-timeout',
        '20',
        '--generation-database',
        'none',
        // A job's SSE stream stays open until the job ends, by design (a
        // queued job never ends here, no gateway runs); jobs-events.test.ts
        // covers that endpoint.
        '--exclude-path-regex',
        '/events$'
      ],
      170_000
    );
    if (code !== 0 || process.env.JAXLAB_SHOW_SCHEMATHESIS)
      console.log(out.replace(/(%[0-9A-F]{2}){40,}/g, '%..').slice(-12_000));
    expect(code).toBe(0);
  }, 180_000);
});
