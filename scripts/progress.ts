/** A progress bar for the scripts that do long work: seeding, sending a mailing. */
/**
 * The progress line on stderr: percent, rows (or emails…) per second and ETA. Rate and ETA come
 * from the last few seconds (people and topics go in faster than posts; a send rate changes).
 */
export class Progress {
  #total: number;
  #done = 0;
  #enabled: boolean;
  #unit: string;
  #tty = Boolean(process.stderr.isTTY);
  #lastDraw = 0;
  #lastStep = -1;
  /** (time, rows done) samples of the last few seconds */
  #samples: [number, number][] = [[performance.now(), 0]];

  constructor(total: number, enabled: boolean, unit = 'rows') {
    this.#total = total;
    this.#enabled = enabled;
    this.#unit = unit;
  }

  add(rows: number): void {
    this.#done += rows;
    if (!this.#enabled) return;
    const now = performance.now();
    this.#samples.push([now, this.#done]);
    while (this.#samples.length > 2 && now - (this.#samples[1] as [number, number])[0] > 3000) {
      this.#samples.shift();
    }
    if (this.#tty) {
      if (now - this.#lastDraw < 150 && this.#done < this.#total) return;
      this.#lastDraw = now;
      process.stderr.write(`\r\x1b[2K${this.#line(now)}`);
    } else {
      // Not a terminal: one plain line per 10 %, so logs stay readable.
      const step = Math.floor((this.#done / this.#total) * 10);
      if (step === this.#lastStep) return;
      this.#lastStep = step;
      process.stderr.write(`${this.#line(now)}\n`);
    }
  }

  finish(): void {
    if (this.#enabled && this.#tty) process.stderr.write('\n');
  }

  #line(now: number): string {
    const share = this.#total ? this.#done / this.#total : 1;
    const [since, doneThen] = this.#samples[0] as [number, number];
    const rate = now > since ? ((this.#done - doneThen) * 1000) / (now - since) : 0;
    const eta = rate > 0 ? (this.#total - this.#done) / rate : 0;
    const width = 30;
    const filled = Math.round(share * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const n = (x: number) => Math.round(x).toLocaleString('en-US');
    return `[${bar}] ${(share * 100).toFixed(1).padStart(5)}%  ${n(this.#done)}/${n(this.#total)} ${this.#unit}  ${n(rate)} ${this.#unit}/s  ETA ${eta.toFixed(0)} s`;
  }
}
