import type { Transport } from '@drivers/core'
import { SerialTransport, type SerialTransportOptions } from './serial-transport.ts'
import { TcpTransport } from './tcp-transport.ts'

/**
 * Picks the transport by address (MQTT.js picks its stream the same way): `tcp://host:port` for
 * network printers and emulators, anything else is a serial device path such as /dev/ttyUSB0.
 */
export function openTransportFor(address: string, serial: Omit<SerialTransportOptions, 'path'>): Transport {
  if (address.startsWith('tcp://')) {
    const url = new URL(address)
    return new TcpTransport({ host: url.hostname, port: Number(url.port) })
  }
  return new SerialTransport({ ...serial, path: address })
}
