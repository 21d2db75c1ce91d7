import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import other packages by name; resolve those names to sources so
// that a test run needs no build first.
const alias = Object.fromEntries(
  ['schemas', 'http', 'paths', 'store', 'kernel-gateway', 'server'].map(pkg => [
    `@jaxlab/${pkg}`,
    fileURLToPath(new URL(`./${pkg}/src/index.ts`, import.meta.url))
  ])
);

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      'schemas',
      'http',
      'paths',
      'store',
      'kernel-gateway',
      'server',
      'lab-extension'
    ].map(name => ({
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
