import { describe, expect, it } from 'vitest'
import { outOfChina, wgs84ToGcj02 } from './gcj02.ts'

// The published reference pairs of googollee/eviltransform (go/transform_test.go), {wgs, gcj}.
const REFERENCE: Array<[string, [number, number], [number, number]]> = [
  ['Shanghai', [31.1774276, 121.5272106], [31.17530398364597, 121.531541859215]],
  ['Shenzhen', [22.543847, 113.912316], [22.540796131694766, 113.9171764808363]],
  ['Beijing', [39.911954, 116.377817], [39.91334545536069, 116.38404722455657]],
]

/** Metres between two nearby points (equirectangular: fine over a few hundred metres). */
const metres = ([lat1, lon1]: [number, number], [lat2, lon2]: [number, number]) => {
  const k = (Math.PI / 180) * 6_371_000
  return Math.hypot((lat2 - lat1) * k, (lon2 - lon1) * k * Math.cos((lat1 * Math.PI) / 180))
}

describe('WGS-84 → GCJ-02', () => {
  it.each(REFERENCE)('matches the reference point in %s', (_, wgs, gcj) => {
    const [lat, lon] = wgs84ToGcj02(...wgs)
    expect(lat).toBeCloseTo(gcj[0], 9)
    expect(lon).toBeCloseTo(gcj[1], 9)
  })

  it('moves a point in China by a few hundred metres, as AMap tiles are offset', () => {
    for (const [, wgs] of REFERENCE) {
      const moved = metres(wgs, wgs84ToGcj02(...wgs))
      expect(moved).toBeGreaterThan(100)
      expect(moved).toBeLessThan(700)
    }
  })

  it('leaves points outside China unchanged', () => {
    for (const p of [
      [48.8584, 2.2945],
      [39.7392, -104.9903],
      [-27.4698, 153.0251],
      [1.29, 73.0 - 1.5],
    ] as Array<[number, number]>) {
      expect(outOfChina(...p)).toBe(true)
      expect(wgs84ToGcj02(...p)).toEqual(p)
    }
    expect(outOfChina(26.6477, 106.6302)).toBe(false)
  })
})
