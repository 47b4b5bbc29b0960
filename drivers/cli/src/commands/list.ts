import { isAppError } from '@drivers/core'
import type { DeviceDefinition, Registry } from '@drivers/registry'
import { type HidDeviceInfo, HidErrorCodes } from '@drivers/transport-hid'
import type { Command } from 'commander'
import type { CliContext } from '../cli-context.ts'
import type { SerialPortListing } from '../discovery/serial-ports.ts'

export interface ListDependencies {
  registry: Registry
  listSerial: () => Promise<SerialPortListing>
  listHid: () => Promise<HidDeviceInfo[]>
}

const hex4 = (n: number) => n.toString(16).padStart(4, '0')
const describe = (def: DeviceDefinition | undefined) => (def ? `${def.vendor} ${def.model} [${def.id}]` : '-')

/** `kiosk-devices list`: serial ports and HID devices, matched against the device registry. */
export function registerListCommand(program: Command, ctx: CliContext, deps: ListDependencies): void {
  program
    .command('list')
    .description('list serial ports and HID devices, and which known device each one is')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const serial = await deps.listSerial()
      let hid: HidDeviceInfo[] = []
      let hidNote: string | undefined
      try {
        hid = await deps.listHid()
      } catch (err) {
        if (!isAppError(err, HidErrorCodes.unavailable)) throw err
        hidNote = err.message
      }
      const serialRows = serial.ports.map((p) => ({ ...p, device: deps.registry.findDefinition(p) }))
      const hidRows = hid.map((d) => ({ ...d, device: deps.registry.findDefinition(d) }))
      if (options.json) {
        const json = {
          serial: serialRows.map(({ device, ...p }) => ({ ...p, definition: device?.id ?? null })),
          hid: hidRows.map(({ device, ...d }) => ({ ...d, definition: device?.id ?? null })),
          notes: [serial.note, hidNote].filter((n) => n !== undefined),
        }
        ctx.out(`${JSON.stringify(json, null, 2)}\n`)
        return
      }
      ctx.out('Serial ports\n')
      if (serialRows.length === 0) ctx.out('  (none)\n')
      for (const p of serialRows) {
        const ids = p.vendorId ? `${p.vendorId}:${p.productId ?? '????'}` : '         '
        ctx.out(`  ${p.path.padEnd(16)} ${ids}  ${describe(p.device)}${p.byId ? `  (${p.byId})` : ''}\n`)
      }
      ctx.out('HID devices\n')
      if (hidNote) ctx.out(`  (unavailable) ${hidNote}\n`)
      else if (hidRows.length === 0) ctx.out('  (none)\n')
      for (const d of hidRows) {
        const name = [d.manufacturer, d.product].filter(Boolean).join(' ')
        ctx.out(`  ${d.path.padEnd(16)} ${hex4(d.vendorId)}:${hex4(d.productId)}  ${describe(d.device)}  ${name}\n`)
      }
      if (serial.note) ctx.err(`note: ${serial.note}\n`)
    })
}
