import { formatMs, LatencyWindow } from '../lib/stats';

/** "last 84 ms · median 80 ms (9 runs)" under an output, from a window of recent runs after warm-up. */
export class LatencyView {
  readonly window = new LatencyWindow(9, 1);

  constructor(private readonly node: HTMLElement) {}

  add(ms: number): void {
    this.window.add(ms);
    const runs = `${this.window.count} run${this.window.count > 1 ? 's' : ''}`;
    const med = this.window.count ? ` · median ${formatMs(this.window.median)} (${runs})` : ' · warming up';
    this.node.textContent = `last ${formatMs(ms)}${med}`;
    this.node.dataset.medianMs = String(this.window.median);
  }

  reset(text = ''): void {
    this.window.reset();
    this.node.textContent = text;
  }
}
