import type { Accelerator, HostInfo } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal, type ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

const KINDS: Accelerator[] = ['tpu', 'gpu', 'cpu'];

/**
 * Accelerator picker: TPU, GPU and CPU, with those no connected host
 * offers disabled and a tooltip saying so; how many devices the run needs;
 * and whether it runs under the JAX profiler.
 */
export class AcceleratorPicker extends Widget {
  /** Make a picker preselecting `preferred` once hosts are known. */
  constructor(trans: TranslationBundle, preferred: Accelerator) {
    super();
    this.addClass('jp-jaxlab-AcceleratorPicker');
    this._trans = trans;
    this._preferred = preferred;
    const label = document.createElement('label');
    label.textContent = trans.__('Accelerator');
    this._select = document.createElement('select');
    this._select.setAttribute('aria-label', trans.__('Accelerator'));
    label.appendChild(this._select);
    const devices = document.createElement('label');
    devices.textContent = trans.__('Devices');
    this._devices = document.createElement('input');
    this._devices.type = 'number';
    this._devices.min = '1';
    this._devices.value = '1';
    this._devices.className = 'jp-jaxlab-DeviceCount';
    this._devices.setAttribute('aria-label', trans.__('Devices'));
    this._devices.title = trans.__(
      'How many devices of the accelerator the run needs; it waits until a host has them free.'
    );
    devices.appendChild(this._devices);
    const profile = document.createElement('label');
    profile.className = 'jp-jaxlab-ProfileToggle';
    this._profile = document.createElement('input');
    this._profile.type = 'checkbox';
    this._profile.title = trans.__(
      'Run under the JAX profiler and keep the trace (opens in Perfetto)'
    );
    profile.append(this._profile, trans.__('Profile'));
    this.node.append(label, devices, profile);
    this.setHosts([]);
  }

  /** Emitted when the user picks another accelerator. */
  get changed(): ISignal<this, Accelerator> {
    return this._changed;
  }

  /** The chosen accelerator, or null when no host offers any. */
  get value(): Accelerator | null {
    const option = this._select.selectedOptions[0];
    return option && !option.disabled ? (option.value as Accelerator) : null;
  }

  /** Devices the run asks for (at least 1). */
  get deviceCount(): number {
    const n = Math.floor(Number(this._devices.value));
    return Number.isFinite(n) && n >= 1 ? n : 1;
  }

  /** Whether the run goes under the JAX profiler. */
  get profile(): boolean {
    return this._profile.checked;
  }

  /** Kinds offered by at least one host, with their device counts. */
  get offered(): ReadonlyMap<Accelerator, number> {
    return this._offered;
  }

  /** Rebuild the options from the hosts the server reports. */
  setHosts(hosts: HostInfo[]): void {
    const trans = this._trans;
    const offered = new Map<Accelerator, number>();
    const deviceKinds = new Map<Accelerator, string>();
    for (const host of hosts) {
      for (const acc of host.accelerators) {
        if (acc.count > 0) {
          offered.set(acc.kind, (offered.get(acc.kind) ?? 0) + acc.count);
          if (acc.deviceKind && acc.deviceKind.toLowerCase() !== acc.kind) {
            deviceKinds.set(acc.kind, acc.deviceKind);
          }
        }
      }
    }
    this._offered = offered;
    const previous = this.value ?? this._preferred;
    this._select.replaceChildren();
    for (const kind of KINDS) {
      const option = document.createElement('option');
      option.value = kind;
      const count = offered.get(kind);
      const name = kind.toUpperCase();
      if (count) {
        const device = deviceKinds.get(kind);
        option.textContent = device
          ? `${name} · ${device} × ${count}`
          : `${name} × ${count}`;
        option.title = trans.__(
          '%1 device(s) available on the connected hosts',
          count
        );
      } else {
        option.textContent = trans.__('%1 (unavailable)', name);
        option.disabled = true;
        option.title = hosts.length
          ? trans.__('No connected host offers a %1.', name)
          : trans.__('No accelerator host is connected.');
      }
      this._select.appendChild(option);
    }
    const pick = offered.has(previous)
      ? previous
      : offered.has(this._preferred)
        ? this._preferred
        : KINDS.find(k => offered.has(k));
    if (pick) {
      this._select.value = pick;
      this._devices.max = String(offered.get(pick) ?? 1);
    } else {
      this._select.selectedIndex = -1;
    }
    this._select.title = hosts.length
      ? ''
      : trans.__('No accelerator host is connected.');
  }

  protected onAfterAttach(): void {
    this._select.addEventListener('change', this._onChange);
  }

  protected onBeforeDetach(): void {
    this._select.removeEventListener('change', this._onChange);
  }

  private _onChange = (): void => {
    if (this.value) {
      this._preferred = this.value;
      this._changed.emit(this.value);
    }
  };

  private _trans: TranslationBundle;
  private _preferred: Accelerator;
  private _select: HTMLSelectElement;
  private _devices: HTMLInputElement;
  private _profile: HTMLInputElement;
  private _offered: Map<Accelerator, number> = new Map();
  private _changed = new Signal<this, Accelerator>(this);
}
