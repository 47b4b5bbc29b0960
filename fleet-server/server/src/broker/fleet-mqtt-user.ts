import type { FleetConfig } from '../config/schema.ts'

/** The fleet-server's MQTT user name when `mqtt.username` is unset. No kiosk may enrol under it. */
export const DEFAULT_FLEET_MQTT_USERNAME = 'fleet-server'

export function fleetMqttUsername(config: Pick<FleetConfig, 'mqtt'>): string {
  return config.mqtt.username ?? DEFAULT_FLEET_MQTT_USERNAME
}

/**
 * Whether `username` is one of the fleet-server's replica users: `base` itself or `base-N` (N ≥ 2),
 * as `fleet-server mosquitto-config --replicas` writes them (Mosquitto binds the client id to the
 * user name, so each replica logs in as its own user). All share the fleet's password.
 */
export function isFleetReplicaUser(base: string, username: string): boolean {
  if (username === base) return true
  if (!username.startsWith(`${base}-`)) return false
  return /^[1-9][0-9]?$/.test(username.slice(base.length + 1)) && username !== `${base}-1`
}
