import { afterEach, describe, expect, it } from 'vitest';
import type { Project } from '@jaxlab/schemas';
import { startLabServer } from '../stand-ins/lab-server.js';

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

async function startServer() {
  const server = await startLabServer({
    auth: { localToken: 'tok', onSignIn: async () => {} }
  });
  closers.push(server.close);
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: 'Bearer tok',
        'content-type': 'application/json'
      },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  const project = async (body: unknown = { name: 'p' }): Promise<Project> => {
    const res = await call('POST', '/api/projects', body);
    expect(res.status).toBe(201);
    return (await res.json()) as Project;
  };
  const get = async (id: string): Promise<Project> =>
    (await (await call('GET', `/api/projects/${id}`)).json()) as Project;
  return { server, call, project, get };
}

/** `/api/projects/{id}/files/{path}`, the path as one encoded segment. */
const fileUrl = (id: string, path: string): string =>
  `/api/projects/${id}/files/${encodeURIComponent(path)}`;

const pathsOf = (p: Project): string[] => (p.files ?? []).map(f => f.path);

/** Status, code and details of a refusal. */
async function refusal(res: Response) {
  const body = (await res.json()) as { code: string; details?: unknown };
  return { status: res.status, code: body.code, details: body.details };
}

describe('createProjectsRouter(): a project of several files', () => {
  it('should create a project with modules and packages and add, replace, rename and delete its files', async () => {
    const { call, project, get } = await startServer();
    const p = await project({
      name: 'multi',
      mainPy: 'from models import MLP\n\ndef main():\n    print(MLP)\n',
      files: [{ path: 'models.py', content: 'class MLP:\n    pass\n' }]
    });
    expect(pathsOf(p)).toEqual(['models.py']);
    expect(pathsOf(await project({ name: 'one file' }))).toEqual([]);

    const added = await call('PUT', fileUrl(p.id, 'utils/data.py'), {
      content: 'BATCH = 32\n'
    });
    expect(added.status).toBe(201);
    await call('PUT', fileUrl(p.id, 'utils/__init__.py'), { content: '' });
    const replaced = await call('PUT', fileUrl(p.id, 'models.py'), {
      content: 'class MLP:\n    depth = 2\n'
    });
    expect(replaced.status).toBe(200);
    const afterReplace = (await replaced.json()) as Project;
    expect(pathsOf(afterReplace)).toEqual([
      'models.py',
      'utils/__init__.py',
      'utils/data.py'
    ]);
    expect(afterReplace.files![0].content).toBe('class MLP:\n    depth = 2\n');

    // The own files go through the same endpoint.
    const main = await call('PUT', fileUrl(p.id, 'main.py'), {
      content: 'def main():\n    pass\n'
    });
    expect(main.status).toBe(200);
    expect(((await main.json()) as Project).mainPy).toBe(
      'def main():\n    pass\n'
    );

    const renamed = await call('PATCH', fileUrl(p.id, 'utils/data.py'), {
      path: 'utils/input_pipeline.py'
    });
    expect(renamed.status).toBe(200);
    const afterRename = (await renamed.json()) as Project;
    expect(pathsOf(afterRename)).toEqual([
      'models.py',
      'utils/__init__.py',
      'utils/input_pipeline.py'
    ]);
    expect(afterRename.files![2].content).toBe('BATCH = 32\n');

    expect((await call('DELETE', fileUrl(p.id, 'models.py'))).status).toBe(200);
    expect(pathsOf(await get(p.id))).toEqual([
      'utils/__init__.py',
      'utils/input_pipeline.py'
    ]);
  });

  it('should refuse paths a project may not hold, naming the rule, and save nothing', async () => {
    const { call, project, get } = await startServer();
    const p = await project();
    for (const [path, rule] of [
      ['../outside.py', 'parent'],
      ['utils/../../x.py', 'parent'],
      ['.env.txt', 'hidden'],
      ['.git/config.txt', 'hidden'],
      ['a/b/c/d/e/deep.py', 'too-deep'],
      ['run.sh', 'extension'],
      ['with space.py', 'characters'],
      ['outputs/plot.csv', 'reserved'],
      ['sitecustomize.py', 'reserved']
    ]) {
      const res = await call('PUT', fileUrl(p.id, path), { content: 'x' });
      expect(await refusal(res), path).toEqual({
        status: 400,
        code: 'PROJECT_FILE_REJECTED',
        details: { path, rule }
      });
    }
    // In a whole-project body too, before anything is written.
    const created = await call('POST', '/api/projects', {
      name: 'bad',
      files: [{ path: '/etc/cron.d/x.txt', content: '' }]
    });
    expect((await refusal(created)).details).toEqual({
      path: '/etc/cron.d/x.txt',
      rule: 'absolute'
    });
    const patched = await call('PATCH', `/api/projects/${p.id}`, {
      mainPy: 'X = 1\n',
      files: [
        { path: 'a.py', content: '' },
        { path: 'a.py', content: '' }
      ]
    });
    expect((await refusal(patched)).details).toEqual({
      path: 'a.py',
      rule: 'duplicate'
    });
    const kept = await get(p.id);
    expect(kept.files).toEqual([]);
    expect(kept.mainPy).toBe('');
  });

  it('should keep main.py, README.md and requirements.txt from being renamed or deleted, and check requirements.txt like any save', async () => {
    const { call, project } = await startServer();
    const p = await project({
      name: 'p',
      files: [{ path: 'models.py', content: '' }]
    });
    for (const path of ['main.py', 'README.md', 'requirements.txt']) {
      expect(
        (await refusal(await call('DELETE', fileUrl(p.id, path)))).details
      ).toEqual({ path, rule: 'required' });
      expect(
        (
          await refusal(
            await call('PATCH', fileUrl(p.id, path), { path: 'other.py' })
          )
        ).details
      ).toEqual({ path, rule: 'required' });
    }
    expect(
      (
        await refusal(
          await call('PATCH', fileUrl(p.id, 'models.py'), { path: 'main.py' })
        )
      ).details
    ).toEqual({ path: 'main.py', rule: 'reserved' });
    const requirements = await call('PUT', fileUrl(p.id, 'requirements.txt'), {
      content: 'optax\n--index-url https://evil.example\n'
    });
    expect(await refusal(requirements)).toMatchObject({
      status: 400,
      code: 'REQUIREMENTS_REJECTED',
      details: { line: 2 }
    });
  });

  it('should answer 404 for a missing file and 409 for a rename onto a file that exists', async () => {
    const { call, project } = await startServer();
    const p = await project({
      name: 'p',
      files: [
        { path: 'a.py', content: 'A = 1\n' },
        { path: 'b.py', content: 'B = 1\n' }
      ]
    });
    expect(
      await refusal(await call('DELETE', fileUrl(p.id, 'missing.py')))
    ).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(
      await refusal(
        await call('PATCH', fileUrl(p.id, 'missing.py'), { path: 'c.py' })
      )
    ).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(
      await refusal(
        await call('PATCH', fileUrl(p.id, 'a.py'), { path: 'b.py' })
      )
    ).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(
      await refusal(
        await call('PUT', fileUrl('no-such-project', 'a.py'), { content: '' })
      )
    ).toMatchObject({ status: 404, code: 'PROJECT_NOT_FOUND' });
  });

  it('should refuse more than 64 files, a file over 1 MB and a project over 1.5 MB', async () => {
    const { call, project, get } = await startServer();
    const files = Array.from({ length: 61 }, (_, i) => ({
      path: `m${String(i).padStart(2, '0')}.py`,
      content: ''
    }));
    const p = await project({ name: 'full', files });
    const one = await call('PUT', fileUrl(p.id, 'one_more.py'), {
      content: ''
    });
    expect((await refusal(one)).details).toEqual({
      path: 'one_more.py',
      rule: 'too-many-files'
    });
    // 500,001 characters, 1,000,002 bytes.
    const wide = 'é'.repeat(500_001);
    const big = await call('PUT', fileUrl(p.id, 'm00.py'), { content: wide });
    expect((await refusal(big)).details).toEqual({
      path: 'm00.py',
      rule: 'file-too-large'
    });
    const q = await project({
      name: 'large',
      files: [{ path: 'a.py', content: 'é'.repeat(400_000) }]
    });
    const grown = await call('PUT', fileUrl(q.id, 'b.py'), {
      content: 'é'.repeat(400_000)
    });
    expect((await refusal(grown)).details).toEqual({
      path: 'b.py',
      rule: 'project-too-large'
    });
    expect(pathsOf(await get(q.id))).toEqual(['a.py']);
  });

  it('should lose no file when several are added at once', async () => {
    const { call, project, get } = await startServer();
    const p = await project();
    const paths = Array.from({ length: 10 }, (_, i) => `pkg/m${i}.py`);
    const answers = await Promise.all(
      paths.map(path => call('PUT', fileUrl(p.id, path), { content: path }))
    );
    expect(answers.map(r => r.status)).toEqual(paths.map(() => 201));
    expect(pathsOf(await get(p.id))).toEqual([...paths].sort());
  });

  it("should not reach another user's project", async () => {
    const { server, call, project } = await startServer();
    const p = await project({
      name: 'p',
      files: [{ path: 'a.py', content: '' }]
    });
    const bob = await server.as('bob');
    const asBob = (method: string, path: string, body?: unknown) =>
      bob.call(method, path, { body });
    for (const res of [
      await asBob('PUT', fileUrl(p.id, 'b.py'), { content: '' }),
      await asBob('PATCH', fileUrl(p.id, 'a.py'), { path: 'c.py' }),
      await asBob('DELETE', fileUrl(p.id, 'a.py'))
    ]) {
      expect(await refusal(res)).toMatchObject({
        status: 404,
        code: 'PROJECT_NOT_FOUND'
      });
    }
    const kept = (await (
      await call('GET', `/api/projects/${p.id}`)
    ).json()) as Project;
    expect(pathsOf(kept)).toEqual(['a.py']);
  });
});
