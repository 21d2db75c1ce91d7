import { describe, expect, it } from 'vitest';

import type { ApiClient } from '../api/api-client.js';
import { ArgumentModel } from './argument-model.js';

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: key => items.get(key) ?? null,
    key: index => [...items.keys()][index] ?? null,
    removeItem: key => void items.delete(key),
    setItem: (key, value) => void items.set(key, value)
  };
}

const model = (projectId: string, storage: Storage): ArgumentModel =>
  new ArgumentModel({
    client: () => ({}) as ApiClient,
    projectId,
    designated: ['main'],
    storage
  });

describe('ArgumentModel', () => {
  it('should show a value typed in the run settings in a sweep form open on the same project', () => {
    const storage = memoryStorage();
    const runSettings = model('p1', storage);
    const sweepForm = model('p1', storage);
    const otherProject = model('p2', storage);
    let changes = 0;
    sweepForm.changed.connect(() => changes++);

    runSettings.setValue('steps', '300');
    expect(sweepForm.value('steps')).toBe('300');
    expect(changes).toBe(1);
    expect(otherProject.value('steps')).toBe('');

    runSettings.setValue('steps', '');
    expect(sweepForm.value('steps')).toBe('');

    sweepForm.dispose();
    runSettings.setValue('steps', '7');
    expect(changes).toBe(2);
    expect(model('p1', storage).value('steps')).toBe('7');
  });
});
