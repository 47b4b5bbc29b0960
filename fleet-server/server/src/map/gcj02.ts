/**
 * WGS-84 → GCJ-02 (国测局 02, the datum of AMap, Tencent and other Chinese base maps): the published
 * approximation (Krasovsky 1940 ellipsoid, the "eviltransform" formulas) used by every open-source
 * converter; within about a metre of the official offset. Outside China there is no offset: the
 * coordinates come back unchanged. Pure: no I/O, no state.
 */
const A = 6378245.0
const EE = 0.006693421622965943

/** A rough bounding box of mainland China (Hong Kong, Macao and Taiwan are not offset either way here). */
export function outOfChina(latitude: number, longitude: number): boolean {
  return longitude < 72.004 || longitude > 137.8347 || latitude < 0.8293 || latitude > 55.8271
}

function transformLat(x: number, y: number): number {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3
  return r
}

function transformLon(x: number, y: number): number {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3
  return r
}

/** `[latitude, longitude]` in GCJ-02 of a WGS-84 point (unchanged outside China). */
export function wgs84ToGcj02(latitude: number, longitude: number): [number, number] {
  if (outOfChina(latitude, longitude)) return [latitude, longitude]
  const x = longitude - 105
  const y = latitude - 35
  const radLat = (latitude / 180) * Math.PI
  const sin = Math.sin(radLat)
  const magic = 1 - EE * sin * sin
  const sqrtMagic = Math.sqrt(magic)
  const dLat = (transformLat(x, y) * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI)
  const dLon = (transformLon(x, y) * 180) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI)
  return [latitude + dLat, longitude + dLon]
}
