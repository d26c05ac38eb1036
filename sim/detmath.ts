/**
 * Deterministic trigonometry and small vector/quaternion helpers.
 *
 * `Math.sin`, `Math.cos` and `Math.atan2` are not required to be correctly rounded, and V8 builds
 * on different platforms have returned different last bits. Anything that feeds the physics
 * (initial yaw quaternions, slope tilts, joint home poses, lidar directions) or the flat
 * observation goes through these functions instead: they use only `+ - * /`, `Math.round`,
 * `Math.abs` and `Math.sqrt`, which IEEE 754 defines exactly, so every machine gets the same bits.
 * Accuracy is within a few ulps of the libm result, which is all the simulation needs.
 */

const TWO_PI = 6.283185307179586;
const PI = 3.141592653589793;
const HALF_PI = 1.5707963267948966;

/** Reduces x to [-π, π]. */
function wrap(x: number): number {
  return x - TWO_PI * Math.round(x / TWO_PI);
}

/** sin(x) for |x| <= π/2: Taylor series to x^23 in Horner form (truncation error < 1e-19). */
function sinCore(x: number): number {
  const x2 = x * x;
  // Coefficients (-1)^k / (2k+1)!, k = 11 down to 0.
  let p = -1 / 25852016738884976640000;
  p = p * x2 + 1 / 51090942171709440000;
  p = p * x2 - 1 / 121645100408832000;
  p = p * x2 + 1 / 355687428096000;
  p = p * x2 - 1 / 1307674368000;
  p = p * x2 + 1 / 6227020800;
  p = p * x2 - 1 / 39916800;
  p = p * x2 + 1 / 362880;
  p = p * x2 - 1 / 5040;
  p = p * x2 + 1 / 120;
  p = p * x2 - 1 / 6;
  p = p * x2 + 1;
  return x * p;
}

/** Deterministic sine. */
export function dsin(x: number): number {
  let r = wrap(x);
  // Fold into [-π/2, π/2]: sin(π - r) = sin(r).
  if (r > HALF_PI) r = PI - r;
  else if (r < -HALF_PI) r = -PI - r;
  return sinCore(r);
}

/** Deterministic cosine. */
export function dcos(x: number): number {
  return dsin(x + HALF_PI);
}

/** atan(x) for |x| <= 1: two half-angle reductions, then a 12-term series (|x| <= 0.2). */
function atanCore(x: number): number {
  // atan(x) = 2·atan(x / (1 + sqrt(1 + x²))), applied twice: |x| <= tan(π/16) ≈ 0.199.
  const x1 = x / (1 + Math.sqrt(1 + x * x));
  const x2 = x1 / (1 + Math.sqrt(1 + x1 * x1));
  const z = x2 * x2;
  let s = 0;
  for (let k = 12; k >= 0; k--) s = s * z + (k % 2 === 0 ? 1 : -1) / (2 * k + 1);
  return 4 * x2 * s;
}

/** Deterministic atan2(y, x), in (-π, π]. */
export function datan2(y: number, x: number): number {
  if (x === 0 && y === 0) return 0;
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  let a = ay <= ax ? atanCore(ay / ax) : HALF_PI - atanCore(ax / ay);
  if (x < 0) a = PI - a;
  return y < 0 ? -a : a;
}

export type Quat = [number, number, number, number];
export type Vec3 = [number, number, number];

/** Rotation of `angle` radians about +z, as [x, y, z, w]. */
export function yawQuat(angle: number): Quat {
  return [0, 0, dsin(angle / 2), dcos(angle / 2)];
}

/** Rotation of `angle` about a unit axis. */
export function axisAngleQuat(axis: Vec3, angle: number): Quat {
  const s = dsin(angle / 2);
  return [axis[0] * s, axis[1] * s, axis[2] * s, dcos(angle / 2)];
}

/** Hamilton product a·b (apply b, then a). */
export function quatMul(a: Quat, b: Quat): Quat {
  return [
    a[3] * b[0] + a[0] * b[3] + a[1] * b[2] - a[2] * b[1],
    a[3] * b[1] - a[0] * b[2] + a[1] * b[3] + a[2] * b[0],
    a[3] * b[2] + a[0] * b[1] - a[1] * b[0] + a[2] * b[3],
    a[3] * b[3] - a[0] * b[0] - a[1] * b[1] - a[2] * b[2],
  ];
}

/** Rotates v by the unit quaternion q. */
export function rotate(q: Quat | { x: number; y: number; z: number; w: number }, v: Vec3): Vec3 {
  const qx = Array.isArray(q) ? q[0] : q.x;
  const qy = Array.isArray(q) ? q[1] : q.y;
  const qz = Array.isArray(q) ? q[2] : q.z;
  const qw = Array.isArray(q) ? q[3] : q.w;
  // t = 2 q×v; v' = v + w t + q×t
  const tx = 2 * (qy * v[2] - qz * v[1]);
  const ty = 2 * (qz * v[0] - qx * v[2]);
  const tz = 2 * (qx * v[1] - qy * v[0]);
  return [v[0] + qw * tx + (qy * tz - qz * ty), v[1] + qw * ty + (qz * tx - qx * tz), v[2] + qw * tz + (qx * ty - qy * tx)];
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
