import { describe, expect, it } from 'vitest';

import type { IHostPython } from './host-python.js';
import { assertKeepsHostJax, hostConstraints } from './host-python.js';

const HOST: IHostPython = {
  python: '/venv/bin/python',
  pythonVersion: '3.11.7',
  abiTag: 'cp311-cp311-linux_x86_64',
  pipVersion: '25.0',
  packages: {
    jax: '0.10.2',
    jaxlib: '0.10.2',
    'jax-cuda13-plugin': '0.10.2',
    numpy: '2.3.0',
    ipykernel: '7.0.0'
  }
};

describe('hostConstraints()', () => {
  it("should pin the host's jax, jaxlib, plugins and their numeric stack", () => {
    expect(hostConstraints(HOST)).toBe(
      'jax==0.10.2\njax-cuda13-plugin==0.10.2\njaxlib==0.10.2\nnumpy==2.3.0\n'
    );
  });
});

describe('assertKeepsHostJax()', () => {
  it("should accept an environment that holds the host's own JAX, or none", () => {
    expect(() =>
      assertKeepsHostJax({ optax: '0.2.5', jax: '0.10.2' }, HOST)
    ).not.toThrow();
  });

  it('should refuse a plugin the host does not have, or another jaxlib, naming them', () => {
    let error: unknown;
    try {
      assertKeepsHostJax(
        { 'jax-cuda12-plugin': '0.10.2', jaxlib: '0.9.0', optax: '0.2.5' },
        HOST
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'REQUIREMENTS_REJECTED' });
    expect((error as Error).message).toContain(
      'jax-cuda12-plugin 0.10.2 (not on this host)'
    );
    expect((error as Error).message).toContain('jaxlib 0.9.0 (host: 0.10.2)');
    expect((error as Error).message).not.toContain('optax');
  });
});
