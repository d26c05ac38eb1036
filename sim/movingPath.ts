/**
 * Constant-speed motion along a waypoint polyline, for kinematic moving obstacles.
 * Position is a pure function of the arc length travelled (phase + speed · t), so it needs no
 * state beyond the simulated time and snapshots carry it for free.
 */
export class MovingPath {
  private readonly cum: number[] = [0];
  private readonly pts: [number, number][];
  /** Length of one pass (pingpong: one way; loop: the closed polygon). */
  readonly length: number;

  constructor(
    path: readonly (readonly [number, number])[],
    readonly mode: 'pingpong' | 'loop',
  ) {
    this.pts = path.map((p) => [p[0], p[1]]);
    if (mode === 'loop') this.pts.push([path[0][0], path[0][1]]);
    for (let i = 1; i < this.pts.length; i++) {
      const dx = this.pts[i][0] - this.pts[i - 1][0];
      const dy = this.pts[i][1] - this.pts[i - 1][1];
      this.cum.push(this.cum[i - 1] + Math.sqrt(dx * dx + dy * dy));
    }
    this.length = this.cum[this.cum.length - 1];
  }

  /** Writes the position after travelling `s` metres into `out`, and the unit direction of travel into `dir`. */
  at(s: number, out: [number, number], dir?: [number, number]): void {
    const L = this.length;
    if (L <= 0) {
      out[0] = this.pts[0][0];
      out[1] = this.pts[0][1];
      if (dir) dir[0] = dir[1] = 0;
      return;
    }
    let sign = 1;
    if (this.mode === 'loop') {
      s = s - L * Math.floor(s / L);
    } else {
      s = s - 2 * L * Math.floor(s / (2 * L));
      if (s > L) {
        s = 2 * L - s;
        sign = -1;
      }
    }
    let i = 1;
    while (i < this.cum.length - 1 && this.cum[i] < s) i++;
    const seg = this.cum[i] - this.cum[i - 1];
    const f = seg > 0 ? (s - this.cum[i - 1]) / seg : 0;
    const a = this.pts[i - 1];
    const b = this.pts[i];
    out[0] = a[0] + (b[0] - a[0]) * f;
    out[1] = a[1] + (b[1] - a[1]) * f;
    if (dir) {
      dir[0] = seg > 0 ? (sign * (b[0] - a[0])) / seg : 0;
      dir[1] = seg > 0 ? (sign * (b[1] - a[1])) / seg : 0;
    }
  }
}
