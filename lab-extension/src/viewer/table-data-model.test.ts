// @vitest-environment happy-dom
import type { TableFilter, TablePage } from '@jaxlab/schemas/contract';
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../api/api-client.js';
import { TableDataModel } from './table-data-model.js';

type Query = Parameters<ApiClient['getTable']>[1];

/** A server whose table answers wait until the test releases them. */
class HeldServer {
  readonly asked: Query[] = [];
  private _answers: Array<() => void> = [];

  readonly client = {
    getTable: (_: string, query: Query): Promise<TablePage> => {
      this.asked.push(query);
      return new Promise(resolve =>
        this._answers.push(() => resolve(page(query)))
      );
    }
  } as unknown as ApiClient;

  /** Answers the request `i` (in the order they were asked). */
  answer(i: number): Promise<void> {
    this._answers[i]();
    return new Promise(resolve => setTimeout(resolve, 0));
  }
}

function page(query: Query): TablePage {
  return {
    format: 'csv',
    columns: [{ name: 'x', type: 'number' }],
    rowsIndexed: 3,
    complete: true,
    totalRows: query.filters?.length ? 1 : 3,
    offset: query.offset,
    rows: query.filters?.length ? [[3]] : [[1], [2], [3]],
    rowNumbers: query.filters?.length ? [2] : [0, 1, 2],
    sort: query.sort,
    filters: query.filters ?? []
  };
}

const BIG: TableFilter = { column: 0, op: '>', value: '2' };

describe('TableDataModel', () => {
  it('should load a view asked for while the previous view was still loading', async () => {
    const server = new HeldServer();
    const model = new TableDataModel({
      client: server.client,
      jobId: 'j',
      source: { artifact: 't.csv' }
    });
    void model.load(0);
    await server.answer(0);
    expect(model.page?.totalRows).toBe(3);

    // Sort, then add a filter before the sorted page came back.
    model.setView({ sort: { column: 0, descending: true }, filters: [] });
    model.setView({
      sort: { column: 0, descending: true },
      filters: [BIG]
    });
    expect(server.asked.map(q => q.filters)).toEqual([[], [], [BIG]]);

    let loaded = 0;
    model.pageLoaded.connect(() => loaded++);
    await server.answer(2);
    await server.answer(1);
    // The sorted page answered last is of a view no longer shown.
    expect(loaded).toBe(1);
    expect(model.page?.filters).toEqual([BIG]);
    expect(model.data('body', 0, 0)).toBe(3);
  });
});
