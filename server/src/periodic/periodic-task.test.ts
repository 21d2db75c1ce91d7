import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { PeriodicTask } from './periodic-task.js';

describe('PeriodicTask', () => {
  it('should run at once, never two passes at a time, and wait for the pass in progress on dispose', async () => {
    let running = 0;
    let overlapped = false;
    let passes = 0;
    let release!: () => void;
    const task = new PeriodicTask({
      run: async () => {
        overlapped ||= running > 0;
        running++;
        passes++;
        await new Promise<void>(resolve => (release = resolve));
        running--;
      },
      intervalMs: 5,
      failureMessage: 'pass failed:'
    }).start();
    expect(passes).toBe(1);
    await sleep(50);
    expect(passes).toBe(1);
    let isDisposed = false;
    const disposed = task.dispose().then(() => (isDisposed = true));
    await sleep(10);
    expect(isDisposed).toBe(false);
    release();
    await disposed;
    expect(overlapped).toBe(false);
    await sleep(20);
    expect(passes).toBe(1);
  });

  it('should report a failed pass and run the next one', async () => {
    const reports: [string, unknown][] = [];
    let passes = 0;
    const task = new PeriodicTask({
      run: async () => {
        passes++;
        throw new Error(`pass ${passes}`);
      },
      intervalMs: 5,
      failureMessage: 'pass failed:',
      log: (message, error) => reports.push([message, error])
    }).start();
    await expect.poll(() => passes).toBeGreaterThanOrEqual(2);
    await task.dispose();
    expect(reports[0][0]).toBe('pass failed:');
    expect((reports[0][1] as Error).message).toBe('pass 1');
  });

  it('should not start again after dispose', async () => {
    let passes = 0;
    const task = new PeriodicTask({
      run: async () => {
        passes++;
      },
      intervalMs: 5,
      failureMessage: 'pass failed:'
    });
    await task.dispose();
    task.start();
    await sleep(20);
    expect(passes).toBe(0);
  });
});
