import { createHmac } from 'node:crypto'

/** The fleet-server's MQTT credential in tests; the broker observer (mqtt-capture.ts) logs in with it too. */
export const TEST_FLEET_MQTT = { username: 'fleet-test', password: 'fleet-test-mqtt-password' } as const

/**
 * Test tools that read like the fleet-server (observers, captures) log in as a replica user of their
 * own: Mosquitto binds client ids to user names, so sharing the fleet's user would knock it off.
 */
export const TEST_FLEET_OBSERVER = { username: 'fleet-test-3', password: TEST_FLEET_MQTT.password } as const

/** A test kiosk's MQTT password: derived from its id, so a restarted agent or fleet-server still agrees. */
export function testKioskPassword(kioskId: string): string {
  return createHmac('sha256', 'kiosk-fleet-tests').update(kioskId).digest('base64url')
}

export type KioskProvisioner = (kioskId: string, password: string) => void

const provisioners = new Set<KioskProvisioner>()

/** A running test stack registers here, so every kiosk a test configures gets credentials on it. */
export function onTestKiosk(provisioner: KioskProvisioner): () => void {
  provisioners.add(provisioner)
  return () => provisioners.delete(provisioner)
}

/**
 * The MQTT credentials of test kiosk `kioskId` (user name = kiosk id), stored on every running test
 * stack as a side effect. Storing is asynchronous: an agent that connects first is refused
 * (bad user name or password) and connects on its next retry, as a kiosk does while it is enrolled.
 * Use `TestStack.provisionKiosk` to wait until a credential works.
 */
export function testKioskMqttCredentials(kioskId: string): { username: string; password: string } {
  const password = testKioskPassword(kioskId)
  for (const provision of provisioners) provision(kioskId, password)
  return { username: kioskId, password }
}
