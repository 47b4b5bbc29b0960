import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { encodeTestPhoto } from '@kiosk/agent/identity'

/**
 * Faces for the face-check tests, cut from an image that ships inside the @vladmandic/human npm
 * package: assets/screenshot-facematch.jpg (1920×954), the screenshot of Human's face-match demo.
 * Its grid of extracted faces has 18 columns and rows 111 px apart; row 0, columns 0–8 are nine
 * different photos of one man (the demo ranked them by similarity; checked by eye), rows 2–5 are
 * other people. Nothing is downloaded; ffmpeg (Debian) does the cutting.
 */
export const FACE_SOURCE = (() => {
  const require = createRequire(resolve(import.meta.dirname, '../../kiosk/ui/package.json'))
  return join(dirname(dirname(require.resolve('@vladmandic/human'))), 'assets', 'screenshot-facematch.jpg')
})()

/** The same man, nine photos. */
export const SAME_PERSON = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((col) => ({ row: 0, col }))
/** Other people (rows 2–5). */
export const OTHER_PEOPLE = [2, 3, 4, 5].flatMap((row) => [...Array(18).keys()].map((col) => ({ row, col })))

function ffmpeg(args: string[]): void {
  try {
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('ffmpeg missing: apt-get install ffmpeg')
    throw err
  }
}

/** One face of the grid as a PNG (98×104). */
export function faceCell(cell: { row: number; col: number }, dir: string): string {
  mkdirSync(dir, { recursive: true })
  const out = join(dir, `face-r${cell.row}c${cell.col}.png`)
  if (!existsSync(out)) {
    const x = Math.round((cell.col * 1920) / 18) + 4
    const y = 286 + cell.row * 111
    ffmpeg(['-i', FACE_SOURCE, '-vf', `crop=98:104:${x}:${y}`, out])
  }
  return out
}

/** A card photo (the KFTP test container, 1024 bytes) holding the face as the best WebP that fits. */
export function cardPhotoOf(cell: { row: number; col: number }, dir: string): Uint8Array {
  const png = faceCell(cell, dir)
  for (const quality of [60, 45, 35, 28, 20, 12, 5]) {
    const out = join(dir, `card-r${cell.row}c${cell.col}-q${quality}.webp`)
    ffmpeg(['-i', png, '-c:v', 'libwebp', '-quality', String(quality), '-compression_level', '6', out])
    const bytes = readFileSync(out)
    if (bytes.length + 7 <= 1024) return encodeTestPhoto(bytes, 'image/webp')
  }
  throw new Error(`face r${cell.row}c${cell.col} does not fit a 1024-byte card photo`)
}

/**
 * A camera video for Chromium's fake capture device (.mjpeg, 640×480, 15 fps, 4 s, looped by
 * Chromium): the face on a grey wall, moving a little as a live person does, or perfectly still
 * (a printed photo or a screen held up to the camera).
 */
export function cameraVideo(cell: { row: number; col: number }, moving: boolean, dir: string): string {
  const png = faceCell(cell, dir)
  const out = join(dir, `camera-r${cell.row}c${cell.col}-${moving ? 'live' : 'still'}.mjpeg`)
  const x = moving ? '170+30*sin(t*2.5)' : '170'
  const y = moving ? '70+14*sin(t*3.7)' : '70'
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'color=c=0x808890:s=640x480:r=15:d=4',
    '-i',
    png,
    '-filter_complex',
    `[1]scale=300:-1[f];[0][f]overlay=x='${x}':y='${y}'`,
    '-q:v',
    '3',
    '-f',
    'mjpeg',
    out,
  ])
  return out
}
