/**
 * A run's steps per second from its job:series events: the last 120
 * (time, step) samples, measured over a sliding window.
 */
export class StepRate {
  /** Note that the run reached `step` at `atMs` (ms since the epoch). */
  add(atMs: number, step: number): void {
    this._samples.push({ atMs, step });
    if (this._samples.length > MAX_SAMPLES) this._samples.shift();
  }

  /**
   * Steps per second over the last `windowMs` of samples (all of them when
   * they span less), null until two are known.
   */
  perSecond(windowMs: number): number | null {
    const samples = this._samples;
    if (samples.length < 2) return null;
    const last = samples[samples.length - 1];
    const first =
      samples.find(s => last.atMs - s.atMs <= windowMs && s.atMs < last.atMs) ??
      samples[0];
    const seconds = (last.atMs - first.atMs) / 1000;
    return seconds > 0 ? (last.step - first.step) / seconds : null;
  }

  /** Forget every sample (another run is shown). */
  clear(): void {
    this._samples = [];
  }

  private _samples: Array<{ atMs: number; step: number }> = [];
}

const MAX_SAMPLES = 120;
