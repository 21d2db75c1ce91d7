import type { Accelerator, HostList } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal, type ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

const KINDS: Accelerator[] = ['tpu', 'gpu', 'cpu'];

/** What the live hosts offer of one accelerator, and its queue. */
interface IOffer {
  hosts: number;
  devices: number;
  /** Device kinds the hosts name, when they say more than the kind. */
  deviceKinds: Set<string>;
  /** Job slots free on those hosts (a host's slots serve all its kinds). */
  freeSlots: number;
}

/** What the picker shows while the server has not answered. */
export const NO_HOSTS: HostList = {
  items: [],
  accelerators: [],
  lost: [],
  queued: {}
};

/**
 * Accelerator picker: TPU, GPU and CPU, each with what the live hosts
 * offer (hosts, devices, free slots) and how many jobs wait for it. Kinds
 * no live host offers stay selectable: such a job waits in the queue and
 * fails DEVICE_UNAVAILABLE after the gateways' device wait, as the note
 * under the picker says. Under it: how many devices the run needs, and
 * whether it runs under the JAX profiler.
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
    this._note.className = 'jp-jaxlab-AcceleratorPicker-note';
    this.node.append(label, devices, profile, this._note);
    this.setHosts(NO_HOSTS);
  }

  /** Emitted when the user picks another accelerator. */
  get changed(): ISignal<this, Accelerator> {
    return this._changed;
  }

  /** The chosen accelerator (offered by a live host or not). */
  get value(): Accelerator | null {
    return (this._select.value || null) as Accelerator | null;
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

  /**
   * Show what GET /api/hosts reports. Options are updated in place, so a
   * list the user has open stays open.
   */
  setHosts(list: HostList): void {
    const trans = this._trans;
    this._offers = offersOf(list);
    if (!this._select.options.length) {
      for (const kind of KINDS) {
        const option = document.createElement('option');
        option.value = kind;
        this._select.appendChild(option);
      }
    }
    for (const option of this._select.options) {
      const kind = option.value as Accelerator;
      const name = kind.toUpperCase();
      const offer = this._offers.get(kind);
      const queued = list.queued[kind] ?? 0;
      const queue = trans._n('%1 queued', '%1 queued', queued);
      option.dataset.live = String(!!offer);
      option.dataset.queued = String(queued);
      if (offer) {
        const devices = offer.deviceKinds.size
          ? `${[...offer.deviceKinds].join(', ')} × ${offer.devices}`
          : trans._n('%1 device', '%1 devices', offer.devices);
        option.textContent = [
          name,
          trans._n('%1 host', '%1 hosts', offer.hosts),
          devices,
          trans._n('%1 free slot', '%1 free slots', offer.freeSlots),
          queue
        ].join(' · ');
        option.title = trans.__(
          '%1 device(s) on %2 live host(s), %3 job slot(s) free; %4 job(s) waiting for a %5.',
          offer.devices,
          offer.hosts,
          offer.freeSlots,
          queued,
          name
        );
      } else {
        option.textContent = [name, trans.__('no live host'), queue].join(
          ' · '
        );
        option.title = this._unavailableNote(name);
      }
    }
    const offered = (kind: Accelerator): boolean => this._offers.has(kind);
    // The user's own choice stands; otherwise the preferred kind if a live
    // host offers it, else the first kind one offers.
    const pick = this._chosen
      ? this._preferred
      : offered(this._preferred)
        ? this._preferred
        : (KINDS.find(offered) ?? this._preferred);
    this._select.value = pick;
    this._devices.max = String(this._offers.get(pick)?.devices ?? 1);
    this._select.title = list.items.length
      ? ''
      : trans.__('No accelerator host is connected.');
    this._showNote();
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
      this._chosen = true;
      this._showNote();
      this._changed.emit(this.value);
    }
  };

  /** Say under the picker when the chosen kind has no live host. */
  private _showNote(): void {
    const kind = this.value;
    const waits = !!kind && !this._offers.has(kind);
    this._note.textContent = waits
      ? this._unavailableNote(kind.toUpperCase())
      : '';
    this._note.hidden = !waits;
  }

  private _unavailableNote(name: string): string {
    return this._trans.__(
      'No live host offers a %1: a run waits in the queue, then fails DEVICE_UNAVAILABLE after the gateways’ device wait.',
      name
    );
  }

  private _trans: TranslationBundle;
  private _preferred: Accelerator;
  /** Whether the user picked an accelerator in this panel. */
  private _chosen = false;
  private _select: HTMLSelectElement;
  private _devices: HTMLInputElement;
  private _profile: HTMLInputElement;
  private _note = document.createElement('span');
  private _offers = new Map<Accelerator, IOffer>();
  private _changed = new Signal<this, Accelerator>(this);
}

/** What the live hosts of `list` offer, per accelerator they have. */
function offersOf(list: HostList): Map<Accelerator, IOffer> {
  const offers = new Map<Accelerator, IOffer>();
  for (const host of list.items) {
    const free = Math.max(0, host.maxConcurrentJobs - (host.runningJobs ?? 0));
    for (const acc of host.accelerators) {
      if (acc.count <= 0) {
        continue;
      }
      const offer = offers.get(acc.kind) ?? {
        hosts: 0,
        devices: 0,
        deviceKinds: new Set<string>(),
        freeSlots: 0
      };
      offer.hosts += 1;
      offer.devices += acc.count;
      offer.freeSlots += free;
      if (acc.deviceKind && acc.deviceKind.toLowerCase() !== acc.kind) {
        offer.deviceKinds.add(acc.deviceKind);
      }
      offers.set(acc.kind, offer);
    }
  }
  return offers;
}
