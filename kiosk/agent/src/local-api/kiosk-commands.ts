import type { CardReader, IdentityCard, SocialSecurityCardReader } from '@drivers/core'
import type { MachineType } from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import type { DepartmentBackend } from '../backends/department-backend.ts'
import type { MaintenanceMode } from '../commands/maintenance.ts'
import type { DeviceManager } from '../devices/device-manager.ts'
import type { FlowContext, ServiceFlow, StepResult } from '../flows/flow.ts'
import { flowFor } from '../flows/flow-catalog.ts'
import { admitCard, faceCheckPending } from '../identity/admit-card.ts'
import type { CardPresence } from '../identity/card-presence.ts'
import { isUsable } from '../services/availability.ts'
import type { SessionManager } from '../sessions/session-manager.ts'
import type { CommandContext, CommandHandler, CommandReply } from './local-api-server.ts'

export interface KioskInfo {
  kioskId: string
  machineType: MachineType
  siteName: string
  ui: {
    idleTimeoutMs: number
    idleWarningMs: number
    defaultLanguage: 'zh' | 'en'
    nearestService: { zh: string; en: string }
  }
}

export interface KioskCommandsOptions {
  info: KioskInfo
  devices: DeviceManager
  sessions: SessionManager
  backend: DepartmentBackend
  verifyBaseUrl: string
  /** How long Session.ReadIdCard waits for a card when the UI does not say. */
  cardWaitMs: number
  /** Set by IT staff (`enter-maintenance`): no citizen service starts, the UI shows out-of-service. */
  maintenance?: MaintenanceMode
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

/** What the UI may know about the kiosk now: services offered, their availability, device states. No citizen data. */
export function kioskStatus(
  options: Pick<KioskCommandsOptions, 'devices' | 'info' | 'maintenance'>,
): Record<string, unknown> {
  const availability = options.devices.availability()
  const offered = availability.filter((s) => flowFor(s.serviceId) !== undefined)
  const services = offered.map((s) => {
    const flow = flowFor(s.serviceId) as ServiceFlow
    const blockedClasses = s.blockedBy
      .map((id) => options.devices.byId(id)?.identity.deviceClass)
      .filter((c): c is NonNullable<typeof c> => c !== undefined)
    return {
      serviceId: s.serviceId,
      available: s.available,
      blockedClasses: [...new Set(blockedClasses)],
      identify: flow.identify,
      needsCode: flow.needsCode,
    }
  })
  // Faults the UI can put into words: which class, and whether it is paper.
  const faults = options.devices.peripherals
    .filter((p) => !isUsable(p.status()))
    .map((p) => ({ deviceClass: p.identity.deviceClass, state: p.status().state, paper: p.status().paper ?? null }))
  return {
    kioskId: options.info.kioskId,
    machineType: options.info.machineType,
    siteName: options.info.siteName,
    ui: options.info.ui,
    mode: options.maintenance?.active
      ? 'maintenance'
      : services.some((s) => s.available)
        ? 'inService'
        : 'outOfService',
    services,
    faults,
  }
}

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

/** The licence notice's code, from its QR payload (a URL or the bare code): LZ + date + serial. */
export function noticeCodeFrom(scanned: string): string | undefined {
  return /LZ\d{8}-\d{4}/i.exec(scanned)?.[0]?.toUpperCase()
}

/** The local API's commands: kiosk status and the citizen session steps, run by the service flows. */
export function createKioskCommands(options: KioskCommandsOptions): Record<string, CommandHandler> {
  const { devices, sessions, backend, logger } = options
  const flowContext = (ctx: CommandContext): FlowContext | undefined => {
    const session = sessions.current
    if (!session) return undefined
    return {
      session,
      backend,
      devices,
      progress: (name, payload) => ctx.event(name, payload),
      verifyBaseUrl: options.verifyBaseUrl,
      logger,
    }
  }
  const currentFlow = () => (sessions.current ? flowFor(sessions.current.serviceId) : undefined)
  const noSession = reply('sequenceError', 'noSession', 'start a session first')
  /** A scan wait in progress; typing the code instead (Session.Query) or ending the session stops it. */
  let scanWait: AbortController | undefined

  return {
    'Common.Status': async () => ({ completionCode: 'success', ...kioskStatus(options) }),

    'Session.Start': async (payload) => {
      const serviceId = typeof payload.serviceId === 'string' ? payload.serviceId : ''
      const flow = flowFor(serviceId)
      if (!flow || !devices.services.some((s) => s.serviceId === serviceId)) {
        return reply('invalidData', 'unknownService', 'this kiosk does not offer that service')
      }
      if (options.maintenance?.active) return reply('deviceNotReady', 'serviceUnavailable', 'kiosk in maintenance')
      if (!devices.isAvailable(serviceId)) return reply('deviceNotReady', 'serviceUnavailable', 'not available now')
      const session = sessions.start(serviceId)
      return {
        completionCode: 'success',
        sessionId: session.sessionId,
        serviceId,
        identify: flow.identify,
        needsCode: flow.needsCode,
      }
    },

    'Session.ReadIdCard': async (payload, ctx) => {
      const session = sessions.current
      if (!session) return noSession
      const usable = (deviceClass: string) =>
        devices.peripherals.some((p) => p.identity.deviceClass === deviceClass && isUsable(p.status()))
      const idReader = usable('idCardReader') ? devices.cardReader() : undefined
      const ssReader =
        flowFor(session.serviceId)?.identify.includes('ssCard') && usable('smartCardReader')
          ? devices.socialSecurityCardReader()
          : undefined
      if (!idReader && !ssReader) return reply('deviceNotReady', 'readerNotReady', 'the card reader is not working')
      const waitMs = typeof payload.timeoutMs === 'number' ? Math.min(payload.timeoutMs, 120_000) : options.cardWaitMs
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
      const admitted = admitCard(session, result.card, new Date())
      if (!admitted.ok) return reply('userError', admitted.errorCode, `card refused: ${admitted.reason}`)
      return { completionCode: 'success', method: 'idCard', citizen: admitted.citizen, faceCheck: admitted.faceCheck }
    },

    'Session.ScanCode': async (payload, ctx) => {
      const session = sessions.current
      if (!session) return noSession
      const scanner = devices.barcodeReader()
      const peripheral = devices.peripherals.find((p) => p.identity.deviceClass === 'barcodeScanner')
      if (!scanner || !peripheral || !isUsable(peripheral.status())) {
        return reply('deviceNotReady', 'scannerNotReady', 'no working QR scanner: type the code')
      }
      scanWait?.abort()
      const wait = new AbortController()
      scanWait = wait
      const waitMs = typeof payload.timeoutMs === 'number' ? Math.min(payload.timeoutMs, 120_000) : options.cardWaitMs
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
          const found = noticeCodeFrom(scan.data)
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

    'Session.Query': async (payload, ctx) => {
      const fc = flowContext(ctx)
      const flow = currentFlow()
      if (!fc || !flow) return noSession
      if (faceCheckPending(fc.session)) return reply('sequenceError', 'faceCheckRequired', 'check the face first')
      scanWait?.abort()
      sessions.touch()
      const input = {
        ...(typeof payload.code === 'string' ? { code: payload.code } : {}),
        ...(typeof payload.pin === 'string' ? { pin: payload.pin } : {}),
      }
      let result = await flow.query(fc, input)
      // A department system that is down gets one more try before the citizen is told.
      if (!result.ok && result.errorCode === 'backendUnavailable' && sessions.current === fc.session) {
        result = await flow.query(fc, input)
      }
      return result.ok ? { completionCode: 'success', view: result.value } : fromFailure(result)
    },

    'Session.Print': async (payload, ctx) => {
      const fc = flowContext(ctx)
      const flow = currentFlow()
      if (!fc || !flow) return noSession
      if (faceCheckPending(fc.session)) return reply('sequenceError', 'faceCheckRequired', 'check the face first')
      sessions.touch()
      const result = await flow.print(fc, typeof payload.itemId === 'string' ? payload.itemId : undefined)
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
