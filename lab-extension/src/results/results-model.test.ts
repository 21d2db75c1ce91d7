import { describe, expect, it } from 'vitest';
import type {
  Failure,
  Job,
  JobEvent,
  JobStatus
} from '@jaxlab/schemas/contract';
import { ResultsModel } from './results-model.js';

const t0 = Date.parse('2025-01-01T00:00:00Z');
const iso = (s: number): string => new Date(t0 + s * 1000).toISOString();

function job(): Job {
  return {
    id: 'j1',
    owner: 'u',
    projectId: 'p',
    status: 'QUEUED',
    accelerator: 'cpu',
    entrypoint: 'main',
    args: {},
    code: '',
    requirements: '',
    createdAt: iso(0),
    updatedAt: iso(0),
    lastSeq: 0,
    logTail: '',
    cancelRequested: false
  };
}

const status = (
  seq: number,
  s: JobStatus,
  at: number,
  failure?: Failure
): JobEvent => ({
  jobId: 'j1',
  seq,
  time: iso(at),
  type: 'job:status',
  status: s,
  ...(failure ? { failure } : {})
});

describe('ResultsModel.applyEvent()', () => {
  it('should move forward through the statuses and stop at a final one', () => {
    let now = t0 + 5000;
    const model = new ResultsModel({
      now: () => now,
      schedule: () => () => undefined
    });
    model.bind(job());
    expect(model.status).toBe('QUEUED');
    expect(model.applyEvent(status(1, 'COMPILING', 1))).toBe(true);
    expect(model.applyEvent(status(2, 'RUNNING', 2))).toBe(true);
    // Elapsed ticks from the submission, as the phases add up.
    expect(model.elapsedMs).toBe(5000);
    // Duplicates and backwards moves are ignored.
    expect(model.applyEvent(status(2, 'RUNNING', 2))).toBe(false);
    expect(model.applyEvent(status(3, 'QUEUED', 3))).toBe(false);
    expect(model.status).toBe('RUNNING');
    model.applyEvent({
      jobId: 'j1',
      seq: 4,
      time: iso(3),
      type: 'job:log',
      stream: 'stdout',
      text: 'Final accuracy: 0.9\n'
    });
    model.applyEvent({
      jobId: 'j1',
      seq: 5,
      time: iso(4),
      type: 'job:metrics',
      metrics: {
        compilationTimeMs: 10,
        executionTimeMs: 100,
        values: { accuracy: 0.9 },
        device: { platform: 'cpu', count: 1 }
      }
    });
    expect(model.applyEvent(status(6, 'COMPLETED', 6))).toBe(true);
    now += 60_000;
    expect(model.isFinal).toBe(true);
    expect(model.elapsedMs).toBe(6000);
    expect(model.metrics?.values.accuracy).toBe(0.9);
    expect(model.log.lineCount).toBe(1);
    // Final is final.
    expect(model.applyEvent(status(7, 'FAILED', 7))).toBe(false);
    expect(model.status).toBe('COMPLETED');
  });

  it('should keep the failure reason and hint of a failed job', () => {
    const model = new ResultsModel({ schedule: () => () => undefined });
    model.bind(job());
    const failure: Failure = {
      reason: 'TIMEOUT',
      message: 'Ran past 60 s.',
      hint: 'Raise the time limit.'
    };
    model.applyEvent(status(1, 'FAILED', 1, failure));
    expect(model.status).toBe('FAILED');
    expect(model.failure).toEqual(failure);
  });

  it('should signal each change and reset on bind', () => {
    const model = new ResultsModel({ schedule: () => () => undefined });
    let changes = 0;
    model.stateChanged.connect(() => changes++);
    model.bind(job());
    model.applyEvent(status(1, 'RUNNING', 1));
    model.bind({ ...job(), id: 'j2' });
    expect(changes).toBe(3);
    expect(model.lastSeq).toBe(0);
    expect(model.status).toBe('QUEUED');
  });
});
