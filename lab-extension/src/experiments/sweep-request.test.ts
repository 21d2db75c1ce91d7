import { validationErrors } from '@jaxlab/schemas';
import { describe, expect, it } from 'vitest';
import type {
  IParameterInput,
  ISweepContext,
  ISweepFormInput
} from './sweep-request.js';
import { fieldOfError, sweepRequest } from './sweep-request.js';

const context: ISweepContext = {
  projectId: 'p1',
  code: 'def main(lr=0.1, width=8, opt="adam", seed):\n    pass\n',
  requirements: '',
  entrypoint: 'main',
  accelerator: 'cpu',
  runSettings: { width: '4', seed: '3' },
  required: ['seed']
};

const keep: IParameterInput = { how: 'fixed', values: '', min: '', max: '' };

function form(overrides: Partial<ISweepFormInput>): ISweepFormInput {
  return {
    kind: 'grid',
    name: '',
    parameters: { lr: keep, width: keep, opt: keep, seed: keep },
    runCap: '',
    seed: '0',
    metric: 'loss',
    direction: 'min',
    maxConcurrent: '2',
    ...overrides
  };
}

describe('sweepRequest', () => {
  it('should make a grid of comma-separated literals, the kept parameters from the run settings', () => {
    const request = sweepRequest(
      form({
        name: ' lr × opt ',
        parameters: {
          lr: { ...keep, how: 'values', values: '0.1, 1e-2,' },
          width: keep,
          opt: { ...keep, how: 'values', values: `'adam', "s,g,d"` },
          seed: keep
        }
      }),
      context
    );
    expect(request).toEqual({
      ok: true,
      trials: 4,
      body: {
        projectId: 'p1',
        code: context.code,
        requirements: '',
        entrypoint: 'main',
        accelerator: 'cpu',
        name: 'lr × opt',
        // width as the run settings have it; opt's default is main.py's.
        args: { width: 4, seed: 3 },
        space: {
          kind: 'grid',
          parameters: {
            lr: { values: [0.1, 0.01] },
            opt: { values: ['adam', 's,g,d'] }
          },
          runCap: 4
        },
        target: { metric: 'loss', direction: 'min' },
        maxConcurrent: 2
      }
    });
    expect(
      validationErrors('sweep-create', request.ok && request.body)
    ).toEqual([]);
  });

  it('should make a seeded random search of a choice and uniform, log-uniform and integer ranges', () => {
    const request = sweepRequest(
      form({
        kind: 'random',
        parameters: {
          lr: { ...keep, how: 'log-uniform', min: '1e-4', max: '0.1' },
          width: { ...keep, how: 'int', min: '2', max: '16' },
          opt: { ...keep, how: 'values', values: "'adam', 'sgd'" },
          seed: { ...keep, how: 'uniform', min: '-1', max: '1.5' }
        },
        runCap: '12',
        seed: '7',
        metric: 'accuracy',
        direction: 'max',
        maxConcurrent: '3'
      }),
      { ...context, accelerator: undefined }
    );
    expect(request.ok && request.body).toEqual({
      projectId: 'p1',
      code: context.code,
      requirements: '',
      entrypoint: 'main',
      args: {},
      space: {
        kind: 'random',
        parameters: {
          lr: { distribution: 'log-uniform', min: 1e-4, max: 0.1 },
          width: { distribution: 'int', min: 2, max: 16 },
          opt: { values: ['adam', 'sgd'] },
          seed: { distribution: 'uniform', min: -1, max: 1.5 }
        },
        runCap: 12,
        seed: 7
      },
      target: { metric: 'accuracy', direction: 'max' },
      maxConcurrent: 3
    });
    expect(request.ok && request.trials).toBe(12);
    expect(
      validationErrors('sweep-create', request.ok && request.body)
    ).toEqual([]);
  });

  it('should refuse, per field, what it can tell: literals, ranges, a distribution in a grid, a required parameter left out', () => {
    const request = sweepRequest(
      form({
        parameters: {
          lr: { ...keep, how: 'values', values: '0.1, adam' },
          width: { ...keep, how: 'int', min: '1', max: '4' },
          opt: { ...keep, how: 'values', values: ' ' },
          seed: keep
        },
        maxConcurrent: 'two'
      }),
      { ...context, runSettings: {} }
    );
    expect(request.ok).toBe(false);
    const errors = request.ok ? {} : request.errors;
    expect(Object.keys(errors).sort()).toEqual([
      'maxConcurrent',
      'param:lr',
      'param:opt',
      'param:seed',
      'param:width'
    ]);
    expect(errors['param:width']).toMatch(/grid takes values/);
    expect(errors['param:opt']).toMatch(/at least one value/);
    expect(errors['param:seed']).toMatch(/^required/);

    const random = sweepRequest(
      form({
        kind: 'random',
        parameters: {
          ...form({}).parameters,
          lr: { ...keep, how: 'uniform', min: '0', max: '' }
        },
        runCap: ''
      }),
      context
    );
    expect(random.ok ? {} : random.errors).toEqual({
      'param:lr': 'uniform needs a number for min and max',
      runCap: 'a number of runs'
    });
  });

  it('should ask for at least one swept parameter', () => {
    const request = sweepRequest(form({}), context);
    expect(request.ok ? {} : request.errors).toEqual({
      '': 'Sweep at least one parameter: give it values or a range.'
    });
  });

  it('should leave ranges and caps to the schema, and cap an unset grid at 1000 runs', () => {
    const request = sweepRequest(
      form({
        parameters: {
          ...form({}).parameters,
          lr: {
            ...keep,
            how: 'values',
            values: Array.from({ length: 40 }, (_, i) => i).join(', ')
          },
          width: {
            ...keep,
            how: 'values',
            values: Array.from({ length: 40 }, (_, i) => i).join(', ')
          }
        },
        maxConcurrent: '100'
      }),
      context
    );
    expect(request.ok && request.body.space.runCap).toBe(1000);
    expect(
      validationErrors('sweep-create', request.ok && request.body)
    ).toEqual(['/maxConcurrent must be <= 64']);
  });
});

describe('fieldOfError', () => {
  it('should place the schema’s and the search space’s messages on their fields', () => {
    expect(fieldOfError('/space/parameters/lr must be object')).toBe(
      'param:lr'
    );
    expect(
      fieldOfError('Parameter lr: a log-uniform range must be positive')
    ).toBe('param:lr');
    expect(fieldOfError('/maxConcurrent must be <= 64')).toBe('maxConcurrent');
    expect(fieldOfError('/space/runCap must be <= 1000')).toBe('runCap');
    expect(fieldOfError('/space/seed must be >= 0')).toBe('seed');
    expect(fieldOfError('/target/metric must match pattern "^x"')).toBe(
      'metric'
    );
    expect(fieldOfError("(root): unknown property 'x'")).toBe('');
    expect(fieldOfError('/code must NOT have more than 10 characters')).toBe(
      ''
    );
  });
});
