import type { ReceiptImage } from '@drivers/core'

function insidePolygon(x: number, y: number, points: [number, number][]): boolean {
  let inside = false
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i] ?? [0, 0]
    const [xj, yj] = points[j] ?? [0, 0]
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

/**
 * A synthetic service-centre emblem (a ring around a five-pointed star) as a 1-bit raster, drawn
 * in code so the test receipt needs no image file. `size` is rounded up to a multiple of 8.
 */
export function serviceEmblem(size = 96): ReceiptImage {
  const width = Math.ceil(size / 8) * 8
  const rowBytes = width / 8
  const bits = new Uint8Array(rowBytes * width)
  const c = width / 2
  const outer = c - 1
  const ring = outer * 0.86
  const star: [number, number][] = []
  for (let k = 0; k < 10; k++) {
    const r = k % 2 === 0 ? ring * 0.8 : ring * 0.32
    const a = -Math.PI / 2 + (k * Math.PI) / 5
    star.push([c + r * Math.cos(a), c + r * Math.sin(a)])
  }
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.hypot(x + 0.5 - c, y + 0.5 - c)
      const black = (d <= outer && d >= ring) || insidePolygon(x + 0.5, y + 0.5, star)
      const at = y * rowBytes + (x >> 3)
      if (black) bits[at] = (bits[at] ?? 0) | (0x80 >> (x & 7))
    }
  }
  return { type: 'image', width, height: width, bits, align: 'center' }
}
