import type { ScreenshotData } from '@kiosk-fleet/protocol'
import type { Queryable } from '../db/database.ts'
import type { CommandOutcome } from './command-sender.ts'

/** The latest screenshot of a kiosk (`GET /api/kiosks/:id/screenshot`). */
export interface StoredScreenshot {
  transaction: string
  takenAt: string
  expiresAt: string
  requestedBy: string | null
  mimeType: string
  width: number
  height: number
  image: Uint8Array
}

/**
 * Where a `screenshot` answer's picture goes: one row per kiosk (the latest), expiring after
 * `keepMs`, never into the command log or the health history. The command log keeps what was
 * taken (size, time), not the picture.
 */
export class ScreenshotStore {
  readonly #db: Queryable
  readonly #keepMs: number

  constructor(options: { db: Queryable; keepMs: number }) {
    this.#db = options.db
    this.#keepMs = options.keepMs
  }

  /**
   * Takes a `screenshot` outcome: stores its picture and gives back the outcome without it (what
   * the caller answers and the command log records). Other outcomes pass through unchanged.
   */
  async keep(kioskId: string, outcome: CommandOutcome, requestedBy?: string): Promise<CommandOutcome> {
    const data = outcome.data as ScreenshotData | undefined
    if (outcome.status !== 'ok' || data === undefined || !data.taken) return outcome
    const expiresAt = new Date(Date.now() + this.#keepMs).toISOString()
    const image = Buffer.from(data.image, 'base64')
    await this.#db.query(
      `INSERT INTO screenshots (kiosk_id, transaction, taken_at, expires_at, requested_by, mime_type, width, height, image)
       VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5, $6, $7, $8, $9)
       ON CONFLICT (kiosk_id) DO UPDATE SET transaction = EXCLUDED.transaction, taken_at = EXCLUDED.taken_at,
         received_at = now(), expires_at = EXCLUDED.expires_at, requested_by = EXCLUDED.requested_by,
         mime_type = EXCLUDED.mime_type, width = EXCLUDED.width, height = EXCLUDED.height, image = EXCLUDED.image`,
      [
        kioskId,
        outcome.transaction,
        new Date(data.takenAt).toISOString(),
        expiresAt,
        requestedBy ?? null,
        data.mimeType,
        data.width,
        data.height,
        image,
      ],
    )
    return { ...outcome, data: withoutImage(data, image.length, expiresAt) }
  }

  /** The kiosk's latest screenshot, unless it expired. */
  async latest(kioskId: string): Promise<StoredScreenshot | undefined> {
    const [row] = await this.#db.query<{
      transaction: string
      taken_at: Date | string
      expires_at: Date | string
      requested_by: string | null
      mime_type: string
      width: number
      height: number
      image: Uint8Array
    }>(
      `SELECT transaction, taken_at, expires_at, requested_by, mime_type, width, height, image
       FROM screenshots WHERE kiosk_id = $1 AND expires_at > now()`,
      [kioskId],
    )
    if (row === undefined) return undefined
    return {
      transaction: row.transaction,
      takenAt: new Date(row.taken_at).toISOString(),
      expiresAt: new Date(row.expires_at).toISOString(),
      requestedBy: row.requested_by,
      mimeType: row.mime_type,
      width: row.width,
      height: row.height,
      image: row.image,
    }
  }
}

/** What the API answers and the command log keeps of a screenshot: everything but the picture. */
export function withoutImage(data: ScreenshotData, bytes?: number, expiresAt?: string): Record<string, unknown> {
  if (!data.taken) return data
  const { image, ...rest } = data
  return {
    ...rest,
    takenAt: new Date(data.takenAt).toISOString(),
    bytes: bytes ?? Math.floor((image.length * 3) / 4),
    ...(expiresAt ? { expiresAt } : {}),
  }
}
