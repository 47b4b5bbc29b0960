import pino, { type Logger } from 'pino'

/**
 * Paths pino removes from every log line: secrets and every ID-card field, wherever they sit
 * (house style: log lengths or hashes, never card contents).
 */
export const REDACT_PATHS = [
  '*.password',
  '*.token',
  'password',
  'token',
  'mqtt.password',
  ...['name', 'idNumber', 'address', 'photo', 'photoWlt', 'birthDate', 'cardNumber', 'pin'].flatMap((k) => [
    k,
    `*.${k}`,
    `*.*.${k}`,
  ]),
]

export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { app: 'kiosk-agent' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination,
  )
}
