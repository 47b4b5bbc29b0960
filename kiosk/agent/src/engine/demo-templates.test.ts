import type { ReceiptElement } from '@drivers/core'
import { type DocumentLayout, layoutFromTemplate, renderPdf } from '@kiosk/documents'
import type { DocumentTemplate, ServiceDefinition, ServiceInput } from '@kiosk-fleet/protocol'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { DEFAULT_CATALOGUE_DIR, DEFAULT_DEMO_GATEWAY_DIR, loadCatalogueDir } from '../catalogue/catalogue-files.ts'
import { CatalogueStore } from '../catalogue/catalogue-store.ts'
import { ServiceAvailabilityModel } from '../catalogue/service-availability.ts'
import { DeviceManager } from '../devices/device-manager.ts'
import { DEMO_PIN } from '../gateway/demo-data.ts'
import { DemoGateway } from '../gateway/demo-gateway.ts'
import { maskIdNumber, maskName } from '../gateway/mask.ts'
import { CitizenSession } from '../sessions/citizen-session.ts'
import { FlowEngine } from './flow-engine.ts'
import { resolveParam } from './inputs.ts'
import { receiptFromTemplate } from './receipt-output.ts'

/**
 * Every A4 and receipt template of the demo catalogue, filled with what the demo gateway answers for
 * a service that prints it: a template whose placeholders name data the gateway never sends prints
 * blanks on a citizen's certificate, and nothing else would notice.
 */

const citizen = { idNumber: '11010119900307002X', name: '张三' }
const VERIFY = 'https://zwfw.example.gov.cn/verify'
const catalogue = loadCatalogueDir(DEFAULT_CATALOGUE_DIR)
const gateway = new DemoGateway({ dataDir: DEFAULT_DEMO_GATEWAY_DIR })
const store = new CatalogueStore({ catalogue, offer: ['*'], busy: () => false, logger: pino({ level: 'silent' }) })
const engine = new FlowEngine({
  catalogue: store,
  gateway,
  devices: new DeviceManager({ peripherals: [] }),
  availability: new ServiceAvailabilityModel({
    catalogue: store,
    peripherals: [],
    circuit: () => 'closed',
    identityReady: () => true,
  }),
  kioskId: 'unit-01',
  verifyBaseUrl: VERIFY,
  logger: pino({ level: 'silent' }),
  now: () => new Date('2026-01-15T10:00:00+08:00'),
})

/** What a citizen would give for each input of the demo services. */
function sampleInput(input: ServiceInput): unknown {
  if (input.kind === 'code') return { noticeCode: 'LZ20260115-0789', creditTail: '20260115' }[input.id]
  if (input.kind === 'option') return input.options[0]?.value
  if (input.kind === 'dateRange') return { from: '2025-02', to: '2026-01' }
  if (input.kind === 'pin') return '246810'.slice(0, input.length).padEnd(input.length, '0')
  return undefined
}

/**
 * The data a template of `service` is filled with, as the engine's output step builds it: the
 * query's records (the first one chosen where the citizen chooses), the document (the query's or
 * the document call's), the inputs, the masked citizen, the time.
 */
async function printedData(service: ServiceDefinition): Promise<Record<string, unknown>> {
  const session = new CitizenSession(service.id)
  if (service.identity !== 'none') session.identify(citizen)
  const inputs = Object.fromEntries(service.inputs.map((i) => [i.id, sampleInput(i)]))
  const queried = await engine.query(session, service, {
    inputs,
    ...(service.identity === 'idOrSsCardPin' ? { pin: DEMO_PIN } : {}),
  })
  if (!queried.ok) throw new Error(`${service.id}: ${queried.errorCode} ${queried.errorDescription}`)
  const records = session.recall<Record<string, unknown>[]>('records') ?? []
  let chosen = records
  let document = session.recall<Record<string, unknown>>('document')
  const input = session.recall<Record<string, unknown>>('inputs') ?? {}
  if (service.view.kind === 'choices') {
    chosen = records.slice(0, 1)
    const call = service.gateway.document
    if (call) {
      const params = Object.fromEntries(
        Object.entries(call.params).map(([k, source]) => [k, resolveParam(source, { input, record: chosen[0] })]),
      )
      const answer = await gateway.call(service.department, call.operation, {
        serviceId: service.id,
        kioskId: 'unit-01',
        citizen: { ...citizen, method: 'idCard' },
        params,
      })
      if (!answer.ok) throw new Error(`${service.id}: document ${answer.error.code}`)
      document = answer.document
    }
  }
  return {
    records: chosen,
    record: chosen[0],
    document,
    input,
    citizen: { maskedName: maskName(citizen.name), maskedIdNumber: maskIdNumber(citizen.idNumber) },
    now: '2026/1/15 10:00:00',
  }
}

/** Every text of a filled A4 layout, by where it is; a total row has only its label and its sum. */
function layoutTexts(template: Extract<DocumentTemplate, { kind: 'a4' }>, layout: DocumentLayout): [string, string][] {
  const rows = layout.table?.rows ?? []
  const total = template.table?.total
  const cells = rows.flatMap((row, r) =>
    row
      .map((cell, c): [string, string] => [`cell ${r}/${c}`, cell])
      .filter((_, c) => !total || r < rows.length - 1 || c === 0 || c === total.column),
  )
  return [
    ['authority', layout.authority],
    ['title', layout.title],
    ['serial', layout.serial],
    ...layout.fields.map(([label, value]): [string, string] => [`field ${label}`, value]),
    ...cells,
    ...(layout.paragraphs ?? []).map((p, i): [string, string] => [`paragraph ${i}`, p]),
    ['issuer', layout.issuer],
    ['issuedOn', layout.issuedOn],
    ['verification', layout.verification.code],
  ]
}

function receiptTexts(elements: ReceiptElement[]): string[] {
  return elements.flatMap((e) => {
    if (e.type === 'text') return [e.text]
    if (e.type === 'pair') return [e.left, e.right]
    if (e.type === 'qr') return [e.data]
    return []
  })
}

const templates = [...catalogue.templates].sort((a, b) => a.id.localeCompare(b.id))
const printers = (t: DocumentTemplate) =>
  catalogue.services.filter(
    (s) => (s.output.kind === 'a4' || s.output.kind === 'receipt') && s.output.template === t.id,
  )

describe('every demo document template, filled with the demo gateway answer of a service that prints it', () => {
  it('the demo has A4 and receipt templates, and every one is printed by some service', () => {
    expect(templates.filter((t) => t.kind === 'a4').length).toBeGreaterThan(0)
    expect(templates.filter((t) => t.kind === 'receipt').length).toBeGreaterThan(0)
    expect(templates.filter((t) => printers(t).length === 0).map((t) => t.id)).toEqual([])
  })

  it.each(templates.map((t) => [t.kind, t.id, t] as const))('%s %s', async (_kind, _id, template) => {
    for (const service of printers(template)) {
      const data = await printedData(service)
      const texts =
        template.kind === 'a4'
          ? layoutTexts(template, layoutFromTemplate(template, data, VERIFY))
          : receiptTexts(receiptFromTemplate(template, data as { records: Record<string, unknown>[] }).elements).map(
              (text, i): [string, string] => [`line ${i}`, text],
            )
      expect(texts.length, service.id).toBeGreaterThan(0)
      // No placeholder left, and none filled with nothing: every text that had one has content.
      expect(
        texts.filter(([, text]) => /\{\{|\}\}/.test(text)),
        service.id,
      ).toEqual([])
      expect(
        texts.filter(([, text]) => text.trim() === '').map(([where]) => where),
        service.id,
      ).toEqual([])
      if (template.kind === 'a4') {
        const pdf = await renderPdf(layoutFromTemplate(template, data, VERIFY))
        expect(Buffer.from(pdf.subarray(0, 8)).toString('latin1')).toMatch(/^%PDF-1\./)
      }
    }
  })
})
