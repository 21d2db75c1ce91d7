import { describe, expect, it } from 'vitest';

import { deviceBadge, runtimeVersions } from './device-badge.js';

describe('deviceBadge()', () => {
  it("should show the run's device facts: platform, count and kind", () => {
    expect(
      deviceBadge({
        accelerator: 'gpu',
        deviceCount: 2,
        metrics: {
          compilationTimeMs: 1,
          executionTimeMs: 2,
          values: {},
          device: { platform: 'gpu', count: 2, kinds: ['NVIDIA H200'] }
        }
      })
    ).toBe('gpu · 2 × NVIDIA H200');
  });

  it('should show what was asked for before the run has device facts', () => {
    expect(deviceBadge({ accelerator: 'tpu', deviceCount: 4 })).toBe(
      'tpu · 4 asked'
    );
  });
});

describe('runtimeVersions()', () => {
  it('should list jax, jaxlib, plugins and the driver', () => {
    expect(
      runtimeVersions({
        codeSha256: 'a'.repeat(64),
        requirementsSha256: 'b'.repeat(64),
        entrypoint: 'main',
        args: {},
        host: 'h',
        gatewayVersion: '0.1.0',
        jax: '0.11.2',
        jaxlib: '0.11.2',
        jaxPlugins: { 'jax-cuda13-plugin': '0.11.2' },
        driver: 'NVRM 580.159.03'
      })
    ).toBe(
      'jax 0.11.2 · jaxlib 0.11.2 · jax-cuda13-plugin 0.11.2 · driver NVRM 580.159.03'
    );
    expect(runtimeVersions(undefined)).toBe('');
  });
});
