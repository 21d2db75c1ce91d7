import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One project per workspace package (package.json "workspaces").
const { workspaces } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8')
) as { workspaces: string[] };

// Tests import other packages by name; resolve those names to sources so
// that a test run needs no build first. (The lab extension is a JupyterLab
// plugin that no package imports.)
const alias = Object.fromEntries(
  workspaces
    .filter(pkg => pkg !== 'lab-extension')
    .map(pkg => [
      `@jaxlab/${pkg}`,
      fileURLToPath(new URL(`./${pkg}/src/index.ts`, import.meta.url))
    ])
);

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
        hookTimeout: 120_000
      }
    })),
    pool: 'forks',
    fileParallelism: false
  }
});
