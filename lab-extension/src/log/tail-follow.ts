/** Scroll geometry of a scrolled element, in CSS pixels. */
export interface IScrollMetrics {
  /** Element.scrollTop. */
  scrollTop: number;
  /** Element.scrollHeight. */
  scrollHeight: number;
  /** Element.clientHeight. */
  clientHeight: number;
}

/**
 * Decides whether a log view follows its tail: it does until the user
 * scrolls up, and does again once the user scrolls back to the bottom.
 * Scrolls the view makes itself (to keep following) do not count as the
 * user's.
 */
export class TailFollower {
  /** @param slackPx - distance from the bottom still counted as "at the bottom". */
  constructor(readonly slackPx = 8) {}

  /** Whether new output should scroll the view to the bottom. */
  get isFollowing(): boolean {
    return this._following;
  }

  /** Follow again (e.g. the "jump to end" button). */
  follow(): void {
    this._following = true;
  }

  /** Note that the view is about to scroll itself to `scrollTop`. */
  willScrollTo(scrollTop: number): void {
    this._expected = scrollTop;
  }

  /** Handle a scroll event with the element's geometry. */
  onScroll(metrics: IScrollMetrics): void {
    const atBottom =
      metrics.scrollHeight - metrics.scrollTop - metrics.clientHeight <=
      this.slackPx;
    if (
      this._expected !== null &&
      Math.abs(metrics.scrollTop - this._expected) <= 1
    ) {
      this._expected = null;
      return;
    }
    this._expected = null;
    this._following = atBottom;
  }

  private _following = true;
  private _expected: number | null = null;
}
