import { describe, expect, it } from 'vitest';

import { failureOfKernelExit } from './kernel-exit-failure.js';

describe('failureOfKernelExit()', () => {
  const reasonOf = (exit: Parameters<typeof failureOfKernelExit>[0]) => {
    const failure = failureOfKernelExit(exit, 'main', undefined);
    return failure === 'wall-clock' ? failure : failure.reason;
  };

  it('should blame the program for an exit nothing outside the sandbox caused', () => {
    // bwrap exits 128 + the signal that ended the program.
    expect(reasonOf({ code: 137, signal: null })).toBe('PROGRAM_EXITED');
    expect(reasonOf({ code: 3, signal: null })).toBe('PROGRAM_EXITED');
    const crash = failureOfKernelExit({ code: 139, signal: null }, 'main', 0);
    expect(crash).toMatchObject({
      reason: 'PROGRAM_EXITED',
      message: expect.stringContaining('crashed (SIGSEGV)')
    });
    const killed = failureOfKernelExit({ code: 137, signal: null }, 'main', 0);
    expect(killed).toMatchObject({
      message: expect.stringContaining('(with SIGKILL)')
    });
  });

  it('should name the limit that ended it, and not know what it cannot', () => {
    expect(reasonOf({ code: 137, signal: null, limit: 'memory' })).toBe(
      'OUT_OF_MEMORY'
    );
    expect(
      reasonOf({ code: null, signal: 'SIGKILL', limit: 'message-size' })
    ).toBe('MESSAGE_TOO_LARGE');
    expect(
      reasonOf({ code: null, signal: 'SIGKILL', limit: 'heartbeat' })
    ).toBe('INTERNAL');
    expect(
      reasonOf({ code: null, signal: 'SIGKILL', limit: 'wall-clock' })
    ).toBe('wall-clock');
    expect(reasonOf(undefined)).toBe('INTERNAL');
  });
});
