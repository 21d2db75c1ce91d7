import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One project per workspace package (package.json "workspaces").
const { workspaces } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8')
) as { workspaces: string[] };

// Tests import other packages by name; resolve those names to sources so
// that a test run needs no build first. (The lab extension is a JupyterLab
// plugin that no package imports.) Subpath entries come first: an alias
// also matches the names below it.
const source = (path: string): string =>
  fileURLToPath(new URL(path, import.meta.url));
const alias = {
  '@jaxlab/schemas/contract': source('./schemas/src/contract.ts'),
  ...Object.fromEntries(
    workspaces
      .filter(pkg => pkg !== 'lab-extension')
      .map(pkg => [`@jaxlab/${pkg}`, source(`./${pkg}/src/index.ts`)])
  )
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: workspaces.map(name => ({
      extends: true as const,
      test: {
        name,
        root: `./${name}`,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        testTimeout: 60_000,
        hookTimeout: 120_000,
        // Every answer of a server under test is held to its schema.
        setupFiles:
          name === 'server' ? ['./test/contract/install-checked-fetch.ts'] : []
      }
    })),
    pool: 'forks',
    fileParallelism: false
  }
});
