import { describe, expect, it } from 'vitest';

import { MAX_LOG_MESSAGE_CHARS, createLogSink } from './gateway-log.js';

const at = new Date('2026-01-02T03:04:05.000Z');

function sink(json: boolean): {
  lines: string[];
  log: ReturnType<typeof createLogSink>;
} {
  const lines: string[] = [];
  return {
    lines,
    log: createLogSink({ json, write: l => lines.push(l), now: () => at })
  };
}

describe('createLogSink()', () => {
  it('should write one JSON object per event, with its kernel, job and event', () => {
    const { lines, log } = sink(true);
    log('kernel 4b1d started (sandboxed) in 412 ms', {
      event: 'kernel:started'
    });
    log('job j-1: COMPLETED', { event: 'job:ended', level: 'info' });
    expect(lines.map(l => JSON.parse(l))).toEqual([
      {
        time: '2026-01-02T03:04:05.000Z',
        level: 'info',
        event: 'kernel:started',
        kernelId: '4b1d',
        msg: 'kernel 4b1d started (sandboxed) in 412 ms'
      },
      {
        time: '2026-01-02T03:04:05.000Z',
        level: 'info',
        event: 'job:ended',
        jobId: 'j-1',
        msg: 'job j-1: COMPLETED'
      }
    ]);
  });

  it('should keep a forged line, a terminal escape or a line separator inside its one line', () => {
    const forged =
      'status "busy\n[2026-01-02T03:04:05.000Z] kernel 0000 started (sandboxed)\r\x1b]0;x\x07\u2028\x85"';
    for (const json of [true, false]) {
      const { lines, log } = sink(json);
      log(`kernel 4b1d: WARNING ${forged}`, { level: 'warn' });
      expect(lines).toHaveLength(1);
      const line = lines[0]!;
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toMatch(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/);
      if (json) expect(JSON.parse(line).msg).toContain(forged);
      else
        expect(line).toMatch(
          /^\[2026-01-02T03:04:05\.000Z\] WARN kernel 4b1d: WARNING status/
        );
    }
  });

  it('should cut a huge message and say how much was cut', () => {
    const { lines, log } = sink(true);
    log('x'.repeat(1024 * 1024));
    const msg = JSON.parse(lines[0]!).msg as string;
    expect(msg.length).toBeLessThan(MAX_LOG_MESSAGE_CHARS + 100);
    expect(msg).toMatch(
      new RegExp(
        `\\[${1024 * 1024 - MAX_LOG_MESSAGE_CHARS} more characters cut\\]$`
      )
    );
  });
});
