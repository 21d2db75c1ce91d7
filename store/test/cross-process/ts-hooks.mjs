// Node module hooks that let a child process run the store's TypeScript
// sources directly (the tests need no build): `@jaxlab/<pkg>` resolves to
// `<pkg>/src/index.ts`, `./x.js` next to a .ts file to `./x.ts`, and .ts is
// transpiled with the TypeScript compiler.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = new URL('../../../', import.meta.url);

export async function resolve(specifier, context, next) {
  const pkg = /^@jaxlab\/([\w-]+)$/.exec(specifier);
  if (pkg) {
    return {
      url: new URL(`${pkg[1]}/src/index.ts`, root).href,
      shortCircuit: true
    };
  }
  if (
    specifier.startsWith('.') &&
    specifier.endsWith('.js') &&
    context.parentURL?.endsWith('.ts')
  ) {
    const url = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (existsSync(fileURLToPath(url)))
      return { url: url.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const fileName = fileURLToPath(url);
  const output = ts.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022
    }
  });
  return { format: 'module', source: output.outputText, shortCircuit: true };
}
