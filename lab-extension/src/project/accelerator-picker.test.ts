// @vitest-environment happy-dom
import type { HostInfo, HostList } from '@jaxlab/schemas/contract';
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { describe, expect, it } from 'vitest';
import { AcceleratorPicker } from './accelerator-picker.js';

const trans = nullTranslator.load('jaxlab');

function host(
  hostId: string,
  accelerators: HostInfo['accelerators'],
  maxConcurrentJobs: number,
  runningJobs: number
): HostInfo {
  return {
    hostId,
    gatewayVersion: '1',
    accelerators,
    maxConcurrentJobs,
    runningJobs,
    lastSeenAt: new Date().toISOString()
  };
}

function picker(preferred: 'tpu' | 'gpu' | 'cpu'): {
  widget: AcceleratorPicker;
  select: HTMLSelectElement;
  options: () => Record<string, string>;
  note: HTMLElement;
} {
  const widget = new AcceleratorPicker(trans, preferred);
  Widget.attach(widget, document.body);
  const select = widget.node.querySelector('select')!;
  return {
    widget,
    select,
    options: () =>
      Object.fromEntries(
        [...select.options].map(o => [o.value, o.textContent ?? ''])
      ),
    note: widget.node.querySelector<HTMLElement>(
      '.jp-jaxlab-AcceleratorPicker-note'
    )!
  };
}

const TWO_GPU_HOSTS: HostList = {
  items: [
    host('a', [{ kind: 'gpu', count: 8, deviceKind: 'H100' }], 4, 3),
    host(
      'b',
      [
        { kind: 'gpu', count: 4, deviceKind: 'H100' },
        { kind: 'cpu', count: 1, deviceKind: 'cpu' }
      ],
      2,
      0
    )
  ],
  accelerators: ['cpu', 'gpu'],
  lost: [host('c', [{ kind: 'tpu', count: 4 }], 1, 1)],
  queued: { gpu: 5, tpu: 2 }
};

describe('AcceleratorPicker', () => {
  it('should show per accelerator the live hosts, devices, free slots and queue, and a lost host’s kind as having no live host', () => {
    const { widget, options } = picker('gpu');
    widget.setHosts(TWO_GPU_HOSTS);
    expect(options()).toEqual({
      tpu: 'TPU · no live host · 2 queued',
      gpu: 'GPU · 2 hosts · H100 × 12 · 3 free slots · 5 queued',
      cpu: 'CPU · 1 host · 1 device · 2 free slots · 0 queued'
    });
    expect(widget.value).toBe('gpu');
    widget.dispose();
  });

  it('should keep a kind no live host offers selectable, with a note that the run waits, then fails DEVICE_UNAVAILABLE', () => {
    const { widget, select, note } = picker('gpu');
    widget.setHosts(TWO_GPU_HOSTS);
    expect(note.hidden).toBe(true);
    const tpu = [...select.options].find(o => o.value === 'tpu')!;
    expect(tpu.disabled).toBe(false);
    const picked: string[] = [];
    widget.changed.connect((_, acc) => picked.push(acc));
    select.value = 'tpu';
    select.dispatchEvent(new Event('change'));
    expect(widget.value).toBe('tpu');
    expect(picked).toEqual(['tpu']);
    expect(note.hidden).toBe(false);
    expect(note.textContent).toMatch(
      /^No live host offers a TPU: .*queue.*DEVICE_UNAVAILABLE after the gateways’ device wait/
    );
    // The next poll keeps the user's choice and updates the queue in place.
    widget.setHosts({ ...TWO_GPU_HOSTS, queued: { tpu: 3 } });
    expect(widget.value).toBe('tpu');
    expect(tpu.textContent).toBe('TPU · no live host · 3 queued');
    expect(select.options[0]).toBe(tpu);
    widget.dispose();
  });

  it('should preselect a kind a live host offers over a preferred one none offers, until the user picks', () => {
    const { widget, note } = picker('tpu');
    widget.setHosts(TWO_GPU_HOSTS);
    expect(widget.value).toBe('gpu');
    expect(note.hidden).toBe(true);
    // A TPU host comes up: the preferred kind wins again.
    widget.setHosts({
      ...TWO_GPU_HOSTS,
      items: [
        ...TWO_GPU_HOSTS.items,
        host('d', [{ kind: 'tpu', count: 4, deviceKind: 'TPU v5 lite' }], 2, 2)
      ]
    });
    expect(widget.value).toBe('tpu');
    widget.dispose();
  });

  it('should say when no host is connected, every kind still selectable', () => {
    const { widget, select, options, note } = picker('tpu');
    expect(options()).toEqual({
      tpu: 'TPU · no live host · 0 queued',
      gpu: 'GPU · no live host · 0 queued',
      cpu: 'CPU · no live host · 0 queued'
    });
    expect(widget.value).toBe('tpu');
    expect(select.title).toBe('No accelerator host is connected.');
    expect(note.hidden).toBe(false);
    widget.dispose();
  });
});
