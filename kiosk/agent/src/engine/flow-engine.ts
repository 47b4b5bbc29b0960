import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PrinterFailureDetail, Result } from '@drivers/core'
import { layoutFromTemplate, renderPdf } from '@kiosk/documents'
import {
  fillTemplate,
  type GatewayCall,
  type GatewayCitizen,
  type GatewayResponse,
  type OutputView,
  type QueryView,
  type ServiceDefinition,
  type ServiceInput,
} from '@kiosk-fleet/protocol'
import type { Logger } from 'pino'
import QRCode from 'qrcode'
import type { CatalogueStore } from '../catalogue/catalogue-store.ts'
import type { ServiceAvailabilityModel } from '../catalogue/service-availability.ts'
import type { DeviceManager } from '../devices/device-manager.ts'
import type { DepartmentGateway } from '../gateway/department-gateway.ts'
import { maskIdNumber, maskName } from '../gateway/mask.ts'
import type { CitizenSession, CitizenView } from '../sessions/citizen-session.ts'
import { checkInputs, resolveParam, shownInputs } from './inputs.ts'
import { receiptFromTemplate } from './receipt-output.ts'
import { viewItems } from './render-view.ts'
import { type StepFailure, type StepResult, stepFail, stepOk } from './step-result.ts'

/** What the UI needs to run a service: how to identify, which inputs to ask, in order. */
export interface SessionPlan {
  identify: ('idCard' | 'ssCard' | 'pin' | 'face')[]
  inputs: ServiceInput[]
  endsOnCardRemoval: boolean
}

/** A step's side channel: XFS4IoT intermediate events to the UI. */
export type Progress = (name: string, payload?: Record<string, unknown>) => void

/**
 * A special case as a small plugin, not a copy of the engine: an identity plugin establishes who
 * the citizen is before the query (the social-security card read with its PIN).
 */
export interface IdentityPlugin {
  identify(session: CitizenSession, pin: string | undefined): Promise<StepResult<CitizenView | undefined>>
}

export interface FlowEngineOptions {
  catalogue: CatalogueStore
  gateway: DepartmentGateway
  devices: DeviceManager
  availability: ServiceAvailabilityModel
  kioskId: string
  verifyBaseUrl: string
  plugins?: Partial<Record<ServiceDefinition['identity'], IdentityPlugin>>
  logger: Logger
  now?: () => Date
}

const PLAN: Record<ServiceDefinition['identity'], SessionPlan['identify']> = {
  none: [],
  idCard: ['idCard'],
  idCardFace: ['idCard', 'face'],
  idOrSsCardPin: ['idCard', 'ssCard', 'pin'],
}

const PRINTER_OF = { a4: 'documentPrinter', receipt: 'receiptPrinter' } as const

function gatewayFailure(answer: Extract<GatewayResponse, { ok: false }>, circuitOpen: boolean) {
  const { code, message, triesLeft } = answer.error
  if (code === 'unavailable') {
    return circuitOpen
      ? stepFail('deviceNotReady', 'departmentUnavailable', message)
      : stepFail('timeOut', 'backendUnavailable', message)
  }
  return stepFail('userError', code, message, triesLeft)
}

function printFailure(failure: Extract<Result<unknown, PrinterFailureDetail>, { ok: false }>['error']) {
  const code =
    failure.code === 'deviceNotReady' ? 'deviceNotReady' : failure.code === 'timeout' ? 'timeOut' : 'hardwareError'
  return stepFail(code, failure.detail ?? failure.code, failure.message)
}

/**
 * The one flow engine: runs any service definition. Identify (card, PIN, face) → inputs → the
 * gateway query → the result view → the output (A4 or receipt from a template, a QR code, or the
 * screen). Everything it learns is kept in the session and wiped with it.
 */
export class FlowEngine {
  readonly #o: FlowEngineOptions

  constructor(options: FlowEngineOptions) {
    this.#o = options
  }

  plan(service: ServiceDefinition): SessionPlan {
    return { identify: PLAN[service.identity], inputs: service.inputs, endsOnCardRemoval: service.endsOnCardRemoval }
  }

  async query(
    session: CitizenSession,
    service: ServiceDefinition,
    given: { inputs?: Record<string, unknown>; pin?: string },
  ): Promise<StepResult<QueryView>> {
    const now = (this.#o.now ?? (() => new Date()))()
    let identified: CitizenView | undefined
    if (service.identity === 'idOrSsCardPin') {
      if (!given.pin || !/^\d{6}$/.test(given.pin)) return stepFail('invalidData', 'pinFormat', 'the PIN has 6 digits')
      session.keep('pin', given.pin)
    }
    const plugin = this.#o.plugins?.[service.identity]
    if (plugin && !session.citizen) {
      const result = await plugin.identify(session, given.pin)
      if (!result.ok) return result
      identified = result.value
    }
    if (service.identity !== 'none' && !session.citizen) {
      return stepFail('sequenceError', 'notIdentified', 'read the card first')
    }
    const scans = session.recall<Record<string, unknown>>('scans') ?? {}
    const inputs = checkInputs(service, given.inputs ?? {}, scans, now)
    if (!inputs.ok) return inputs
    session.keep('inputs', inputs.value)
    const answer = await this.#call(session, service, service.gateway.query, { input: inputs.value })
    if (!answer.ok) return gatewayFailure(answer, this.#circuitOpen(service))
    const records = service.view.kind === 'facts' ? answer.records.slice(0, 1) : answer.records
    session.keep('records', records)
    if (answer.document) session.keep('document', answer.document)
    const output = service.output
    const available = this.#outputAvailable(service)
    // Seeing the answer is the service unless a required print is still to come.
    const printRequired =
      (output.kind === 'a4' || (output.kind === 'receipt' && !output.optional)) && records.length > 0
    if (!printRequired && service.view.kind !== 'choices') session.outcome = 'completed'
    return stepOk({
      kind: service.view.kind,
      title: service.view.title,
      empty: service.view.empty,
      items: viewItems(service.view, records, shownInputs(service, inputs.value)),
      output: {
        kind: output.kind,
        ...('action' in output ? { action: output.action } : {}),
        ...(output.kind === 'qr' ? { hint: output.hint } : {}),
        ...(output.kind === 'receipt' ? { optional: output.optional } : {}),
        available,
      },
      ...(identified ? { citizen: identified } : {}),
    })
  }

  async output(
    session: CitizenSession,
    service: ServiceDefinition,
    itemId: string | undefined,
    progress: Progress,
  ): Promise<StepResult<OutputView>> {
    const records = session.recall<Record<string, unknown>[]>('records')
    if (!records) return stepFail('sequenceError', 'notQueried', 'run the query first')
    let chosen: Record<string, unknown>[] = records
    let document = session.recall<Record<string, unknown>>('document')
    if (service.view.kind === 'choices') {
      const idField = service.view.record.idField ?? ''
      const record = records.find((r) => String(r[idField]) === itemId)
      if (!record) return stepFail('invalidData', 'itemMissing', 'choose one of the records shown')
      chosen = [record]
      if (service.gateway.document) {
        const input = session.recall<Record<string, unknown>>('inputs') ?? {}
        const answer = await this.#call(session, service, service.gateway.document, { input, record })
        if (!answer.ok) return gatewayFailure(answer, this.#circuitOpen(service))
        document = answer.document
      }
    }
    const citizen = session.citizen
    const data = {
      records: chosen,
      record: chosen[0],
      document,
      input: shownInputs(service, session.recall<Record<string, unknown>>('inputs') ?? {}),
      citizen: citizen ? { maskedName: maskName(citizen.name), maskedIdNumber: maskIdNumber(citizen.idNumber) } : {},
      now: (this.#o.now ?? (() => new Date()))().toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }),
    }
    const output = service.output
    if (output.kind === 'screen')
      return stepFail('unsupportedCommand', 'noOutput', 'this service shows its answer only')
    if (output.kind === 'qr') {
      const url = fillTemplate(output.url, data)
      session.outcome = 'completed'
      return stepOk({ qr: { url, image: await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 2 }) } })
    }
    if (!this.#outputAvailable(service)) {
      return stepFail('deviceNotReady', 'serviceUnavailable', `the ${output.kind} printer cannot print now`)
    }
    const template = this.#o.catalogue.template(output.template)
    if (!template || template.kind !== output.kind) {
      return stepFail('internalError', 'templateMissing', `template ${output.template} is not in the catalogue`)
    }
    let printed: StepResult<OutputView>
    if (template.kind === 'receipt') {
      const printer = this.#o.devices.receiptPrinter()
      if (!printer) return stepFail('deviceNotReady', 'noDevice', 'this kiosk has no receipt printer driver')
      progress('Session.PrintingEvent', { target: 'receipt' })
      const result = await printer.print(receiptFromTemplate(template, data))
      printed = result.ok ? stepOk({ printed: 'receipt' }) : printFailure(result.error)
    } else {
      const printer = this.#o.devices.documentPrinter()
      if (!printer) return stepFail('deviceNotReady', 'noDevice', 'this kiosk has no A4 printer driver')
      if (!document && !template.table)
        return stepFail('internalError', 'documentMissing', 'the gateway sent no document')
      progress('Session.PreparingDocumentEvent')
      const pdf = await renderPdf(layoutFromTemplate(template, data, this.#o.verifyBaseUrl))
      progress('Session.PrintingEvent', { target: 'a4' })
      // The job name reaches the printer's queue: the template only, never the citizen.
      const result = await printer.printPdf(pdf, { jobName: `kiosk-${template.id}` })
      if (!result.ok) printed = printFailure(result.error)
      else if (result.value.state !== 'completed') {
        printed = stepFail('hardwareError', 'jobAborted', `the printer ended the job as ${result.value.state}`)
      } else printed = stepOk({ printed: 'a4', pages: 1 })
    }
    session.outcome = printed.ok ? 'completed' : 'failed'
    return printed
  }

  /** Scans the pages of a documentScan input into the session (PNG, base64), leaving no file behind. */
  async scan(
    session: CitizenSession,
    service: ServiceDefinition,
    inputId: string,
  ): Promise<StepResult<{ pages: number }>> {
    const input = service.inputs.find((i) => i.id === inputId && i.kind === 'documentScan')
    if (input?.kind !== 'documentScan') return stepFail('invalidData', 'inputMissing', `no scan input ${inputId}`)
    const scanner = this.#o.devices.documentScanner()
    if (!scanner || !this.#o.availability.classUsable('documentScanner')) {
      return stepFail('deviceNotReady', 'scannerNotReady', 'the document scanner is not working')
    }
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-scan-'))
    try {
      const result = await scanner.scan(join(dir, 'page-%d.png'), { format: 'png', maxPages: input.maxPages })
      if (!result.ok) return stepFail('hardwareError', result.error.detail ?? result.error.code, result.error.message)
      const pages = result.value.pages.map((p) => ({
        mediaType: 'image/png',
        dataBase64: readFileSync(p.path).toString('base64'),
      }))
      const scans = session.recall<Record<string, unknown>>('scans') ?? {}
      session.keep('scans', { ...scans, [inputId]: { pages } })
      return stepOk({ pages: pages.length })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  #outputAvailable(service: ServiceDefinition): boolean {
    const output = service.output
    if (output.kind !== 'a4' && output.kind !== 'receipt') return true
    return this.#o.availability.classUsable(PRINTER_OF[output.kind])
  }

  #circuitOpen(service: ServiceDefinition): boolean {
    return !this.#o.availability.isAvailable(service.id)
  }

  async #call(
    session: CitizenSession,
    service: ServiceDefinition,
    call: GatewayCall,
    data: { input: Record<string, unknown>; record?: Record<string, unknown> },
  ): Promise<GatewayResponse> {
    const pin = session.recall<string>('pin')
    const params = Object.fromEntries(
      Object.entries(call.params).map(([name, source]) => [
        name,
        resolveParam(source, { ...data, ...(pin ? { pin } : {}) }),
      ]),
    )
    const c = session.citizen
    const method = (session.recall<string>('identifiedBy') ?? 'idCard') as GatewayCitizen['method']
    const started = Date.now()
    const answer = await this.#o.gateway.call(service.department, call.operation, {
      serviceId: service.id,
      kioskId: this.#o.kioskId,
      citizen: c ? { idNumber: c.idNumber, name: c.name, method } : null,
      params,
    })
    this.#o.logger.info(
      {
        serviceId: service.id,
        operation: call.operation,
        ok: answer.ok,
        ...(answer.ok ? { records: answer.records.length } : { code: answer.error.code }),
        ms: Date.now() - started,
      },
      'gateway answered',
    )
    return answer
  }
}

export type { StepFailure }
