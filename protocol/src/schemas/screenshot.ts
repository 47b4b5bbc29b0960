import { type Static, Type } from '@sinclair/typebox'
import { Timestamp } from './common.ts'

/**
 * The biggest image a `screenshot` answer may carry (bytes before base64). With base64's 4/3 and the
 * envelope it stays under the contract's 256 KiB payload cap (`MAX_PAYLOAD_BYTES`), which every
 * broker we run takes (Mosquitto and Aedes unlimited by default, NATS 1 MiB).
 */
export const MAX_SCREENSHOT_BYTES = 160 * 1024

/** Longest side the kiosk scales a screenshot down to unless the request asks for less. */
export const DEFAULT_SCREENSHOT_MAX_SIDE = 960

export const ScreenshotParams = Type.Object(
  {
    maxSide: Type.Optional(
      Type.Integer({ minimum: 240, maximum: 1920, description: 'longest side in pixels (default 960)' }),
    ),
  },
  { additionalProperties: false },
)
export type ScreenshotParams = Static<typeof ScreenshotParams>

/**
 * Why a kiosk took no screenshot, as an answer rather than an error: `sessionActive` — a citizen
 * is being served (or one started while the screen was being captured), and a citizen's screen is
 * never captured; `noDisplay` — no screen capturer runs on this kiosk (no shell connected).
 */
export const SCREENSHOT_REFUSALS = ['sessionActive', 'noDisplay'] as const

export const ScreenshotData = Type.Union([
  Type.Object(
    {
      taken: Type.Literal(true),
      takenAt: Timestamp,
      mimeType: Type.Union([Type.Literal('image/jpeg'), Type.Literal('image/png')]),
      width: Type.Integer({ minimum: 1, maximum: 1920 }),
      height: Type.Integer({ minimum: 1, maximum: 1920 }),
      /** The image, base64; at most `MAX_SCREENSHOT_BYTES` decoded. */
      image: Type.String({ maxLength: Math.ceil(MAX_SCREENSHOT_BYTES / 3) * 4, contentEncoding: 'base64' }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      taken: Type.Literal(false),
      refused: Type.Union(SCREENSHOT_REFUSALS.map((r) => Type.Literal(r))),
    },
    { additionalProperties: false },
  ),
])
export type ScreenshotData = Static<typeof ScreenshotData>
