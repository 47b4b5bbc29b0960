import type { FleetConfig } from '../config/schema.ts'

/** The fleet-server's MQTT user name when `mqtt.username` is unset. No kiosk may enrol under it. */
export const DEFAULT_FLEET_MQTT_USERNAME = 'fleet-server'

export function fleetMqttUsername(config: Pick<FleetConfig, 'mqtt'>): string {
  return config.mqtt.username ?? DEFAULT_FLEET_MQTT_USERNAME
}
