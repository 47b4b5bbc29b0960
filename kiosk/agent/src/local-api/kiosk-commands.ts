import type { CardReader, IdentityCard, SocialSecurityCardReader } from '@drivers/core'
import type { Logger } from 'pino'
import type { CatalogueStore } from '../catalogue/catalogue-store.ts'
import type { FlowEngine } from '../engine/flow-engine.ts'
import { codeFromScan } from '../engine/inputs.ts'
import type { StepResult } from '../engine/step-result.ts'
import { admitCard, faceCheckPending } from '../identity/admit-card.ts'
import type { CardPresence } from '../identity/card-presence.ts'
import type { SessionManager } from '../sessions/session-manager.ts'
import { type KioskStatusSources, kioskStatus } from './kiosk-status.ts'
import type { CommandContext, CommandHandler, CommandReply } from './local-api-server.ts'

export interface KioskCommandsOptions extends KioskStatusSources {
  sessions: SessionManager
  catalogue: CatalogueStore
  engine: FlowEngine
  /** How long Session.ReadIdCard waits for a card when the UI does not say. */
  cardWaitMs: number
  /** The ID card lying on the reader (read before the session asked for it). */
  presence?: CardPresence
  logger: Logger
}

type Failure = Extract<StepResult<unknown>, { ok: false }>
const fromFailure = (f: Failure): CommandReply => ({
  completionCode: f.completionCode,
  errorCode: f.errorCode,
  errorDescription: f.errorDescription,
  ...(f.triesLeft === undefined ? {} : { triesLeft: f.triesLeft }),
})
const reply = (completionCode: CommandReply['completionCode'], errorCode: string, errorDescription: string) => ({
  completionCode,
  errorCode,
  errorDescription,
})

type CardWait =
  | { ok: true; method: 'idCard'; card: IdentityCard }
  | { ok: true; method: 'ssCard' }
  | { ok: false; reason: 'timeout' | 'ended' }

/**
 * Waits for the ID reader's polling to read a presented card, or for a social-security card in the
 * PC/SC reader; the UI gets `MediaInsertedEvent` when an ID card is found.
 */
function waitForCard(
  reader: CardReader | undefined,
  ssReader: SocialSecurityCardReader | undefined,
  ctx: CommandContext,
  waitMs: number,
  ended: () => boolean,
  onReader: IdentityCard | undefined,
): Promise<CardWait> {
  return new Promise((resolve) => {
    const offs: (() => void)[] = []
    let done = false
    const finish = (result: CardWait) => {
      if (done) return
      done = true
      for (const off of offs) off()
      clearTimeout(timer)
      clearInterval(watch)
      resolve(result)
    }
    if (reader) {
      offs.push(reader.on('cardInserted', () => ctx.event('Session.MediaInsertedEvent')))
      offs.push(reader.on('cardRead', (card) => finish({ ok: true, method: 'idCard', card })))
      // Put down before the session started: already read, still lying there.
      if (onReader) queueMicrotask(() => finish({ ok: true, method: 'idCard', card: onReader }))
    }
    if (ssReader) {
      offs.push(ssReader.on('cardInserted', () => finish({ ok: true, method: 'ssCard' })))
      if (ssReader.cardPresent) queueMicrotask(() => finish({ ok: true, method: 'ssCard' }))
    }
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout' }), waitMs)
    const watch = setInterval(() => {
      if (ended()) finish({ ok: false, reason: 'ended' })
    }, 200)
  })
}

/** The local API's commands: kiosk status and the citizen session steps, run by the service flows. */
export function createKioskCommands(options: KioskCommandsOptions): Record<string, CommandHandler> {
  const { devices, sessions, catalogue, engine, availability } = options
  const current = () => {
    const session = sessions.current
    const service = session ? catalogue.service(session.serviceId) : undefined
    return session && service ? { session, service } : undefined
  }
  const noSession = reply('sequenceError', 'noSession', 'start a session first')
  /** A scan wait in progress; typing the code instead (Session.Query) or ending the session stops it. */
  let scanWait: AbortController | undefined

  return {
    'Common.Status': async () => ({ completionCode: 'success', ...kioskStatus(options) }),

    'Session.Start': async (payload) => {
      const serviceId = typeof payload.serviceId === 'string' ? payload.serviceId : ''
      const service = catalogue.service(serviceId)
      if (!service) return reply('invalidData', 'unknownService', 'this kiosk does not offer that service')
      if (options.maintenance?.active) return reply('deviceNotReady', 'serviceUnavailable', 'kiosk in maintenance')
      if (!availability.isAvailable(serviceId))
        return reply('deviceNotReady', 'serviceUnavailable', 'not available now')
      const session = sessions.start(serviceId)
      return {
        completionCode: 'success',
        sessionId: session.sessionId,
        serviceId,
        name: service.name,
        ...engine.plan(service),
      }
    },

    'Session.ReadIdCard': async (payload, ctx) => {
      const run = current()
      if (!run) return noSession
      const { session, service } = run
      const idReader = availability.classUsable('idCardReader') ? devices.cardReader() : undefined
      const ssReader =
        service.identity === 'idOrSsCardPin' && availability.classUsable('smartCardReader')
          ? devices.socialSecurityCardReader()
          : undefined
      if (!idReader && !ssReader) return reply('deviceNotReady', 'readerNotReady', 'the card reader is not working')
      const waitMs = typeof payload.timeoutMs === 'number' ? payload.timeoutMs : options.cardWaitMs
      ctx.event('Session.InsertCardEvent', { idCard: idReader !== undefined, ssCard: ssReader !== undefined })
      // `fresh`: the citizen tries again after a refused card, which may still lie there.
      const onReader = idReader && payload.fresh !== true ? options.presence?.cardOnReader : undefined
      const result = await waitForCard(idReader, ssReader, ctx, waitMs, () => sessions.current !== session, onReader)
      if (result.ok && result.method === 'ssCard') {
        // The holder is on the card behind the PIN: identified in Session.Query.
        session.keep('identifiedBy', 'ssCard')
        sessions.touch()
        return { completionCode: 'success', method: 'ssCard' }
      }
      if (!result.ok) {
        return result.reason === 'timeout'
          ? reply('timeOut', 'noMedia', 'no card was placed in time')
          : reply('canceled', 'sessionEnded', 'the session ended')
      }
      sessions.touch()
      const admitted = admitCard(session, result.card, new Date(), service.identity === 'idCardFace')
      if (!admitted.ok) return reply('userError', admitted.errorCode, `card refused: ${admitted.reason}`)
      return { completionCode: 'success', method: 'idCard', citizen: admitted.citizen, faceCheck: admitted.faceCheck }
    },

    'Session.ScanCode': async (payload, ctx) => {
      const run = current()
      if (!run) return noSession
      const { session, service } = run
      const input = service.inputs.find((i) => i.id === payload.inputId)
      if (input?.kind !== 'code' || !input.scan) {
        return reply('invalidData', 'inputMissing', 'this service has no scannable code input by that id')
      }
      const scanner = devices.barcodeReader()
      if (!scanner || !availability.classUsable('barcodeScanner')) {
        return reply('deviceNotReady', 'scannerNotReady', 'no working QR scanner: type the code')
      }
      scanWait?.abort()
      const wait = new AbortController()
      scanWait = wait
      const waitMs = typeof payload.timeoutMs === 'number' ? payload.timeoutMs : options.cardWaitMs
      await scanner.enable()
      await scanner.trigger()
      ctx.event('Session.ScanWaitingEvent')
      const code = await new Promise<string | undefined>((resolve) => {
        const finish = (value: string | undefined) => {
          off()
          clearTimeout(timer)
          clearInterval(watch)
          resolve(value)
        }
        // Scanned text is never logged: a QR code may carry personal data.
        const off = scanner.on('scanned', (scan) => {
          const found = codeFromScan(input.mask, scan.data)
          if (found) finish(found)
          else ctx.event('Session.ScanUnreadableEvent')
        })
        const timer = setTimeout(() => finish(undefined), waitMs)
        const watch = setInterval(() => {
          if (wait.signal.aborted || sessions.current !== session) finish(undefined)
        }, 100)
      })
      if (scanWait === wait) scanWait = undefined
      if (code === undefined) {
        return wait.signal.aborted || sessions.current !== session
          ? reply('canceled', 'typedInstead', 'the code was typed or the session ended')
          : reply('timeOut', 'noScan', 'no code was scanned in time')
      }
      sessions.touch()
      return { completionCode: 'success', code }
    },

    'Session.ScanDocument': async (payload, ctx) => {
      const run = current()
      if (!run) return noSession
      ctx.event('Session.ScanWaitingEvent')
      const result = await engine.scan(run.session, run.service, String(payload.inputId))
      sessions.touch()
      return result.ok ? { completionCode: 'success', ...result.value } : fromFailure(result)
    },

    'Session.Query': async (payload) => {
      const run = current()
      if (!run) return noSession
      if (faceCheckPending(run.session)) return reply('sequenceError', 'faceCheckRequired', 'check the face first')
      scanWait?.abort()
      sessions.touch()
      const result = await engine.query(run.session, run.service, {
        ...(payload.inputs && typeof payload.inputs === 'object'
          ? { inputs: payload.inputs as Record<string, unknown> }
          : {}),
        ...(typeof payload.pin === 'string' ? { pin: payload.pin } : {}),
      })
      sessions.touch()
      return result.ok ? { completionCode: 'success', view: result.value } : fromFailure(result)
    },

    'Session.Output': async (payload, ctx) => {
      const run = current()
      if (!run) return noSession
      if (faceCheckPending(run.session)) return reply('sequenceError', 'faceCheckRequired', 'check the face first')
      sessions.touch()
      const itemId = typeof payload.itemId === 'string' ? payload.itemId : undefined
      const result = await engine.output(run.session, run.service, itemId, (name, p) => ctx.event(name, p))
      sessions.touch()
      return result.ok ? { completionCode: 'success', ...result.value } : fromFailure(result)
    },

    'Session.Extend': async () => {
      if (!sessions.current) return noSession
      sessions.touch()
      return { completionCode: 'success' }
    },

    'Session.End': async (payload) => {
      if (!sessions.current) return { completionCode: 'success' }
      sessions.end(payload.reason === 'completed' ? 'completed' : 'canceled')
      return { completionCode: 'success' }
    },
  }
}
