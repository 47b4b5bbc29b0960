/**
 * The baseline of `bench:ingest --steady`: a bare MQTT.js subscriber in a process of its own, so its
 * CPU can be read apart from the benchmark's. Args: broker URL, user, password. Tells its parent
 * `{ ready }` once subscribed, then answers every message with what it received and its CPU seconds.
 */
import mqtt from 'mqtt'

const [url, username, password] = process.argv.slice(2)
if (url === undefined) throw new Error('usage: bare-subscriber.ts URL [USER PASSWORD]')
const sub = await mqtt.connectAsync(url, {
  clientId: 'bench-bare',
  protocolVersion: 4,
  clean: true,
  username,
  password,
})
let received = 0
sub.on('message', () => {
  received += 1
})
await sub.subscribeAsync('kiosk/v1/+/health', { qos: 1 })
process.send?.({ ready: true })
process.on('message', () => {
  const cpu = process.cpuUsage()
  process.send?.({ received, cpuSeconds: (cpu.user + cpu.system) / 1e6 })
})
process.on('disconnect', () => {
  void sub.endAsync(true).finally(() => process.exit(0))
})
