/**
 * Config schemas of the `update.configSchema` field, shared by models whose driver takes the same
 * keys. They mirror what the driver applies (printer-escpos `escpos-config.ts`, GS ( E); the
 * fleet server validates a config artifact against them on upload, the driver again before it
 * writes anything.
 */
export function escposConfigSchema(options: { maxPrintSpeed: number }): Record<string, unknown> {
  return {
    title: 'ESC/POS printer settings (GS ( E)',
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      printDensity: {
        description: 'Print density in percent (GS ( E fn 5, a = 5).',
        type: 'integer',
        minimum: 70,
        maximum: 130,
        multipleOf: 5,
      },
      printSpeed: {
        description: 'Print speed level, 1 = slowest (GS ( E fn 5, a = 6).',
        type: 'integer',
        minimum: 1,
        maximum: options.maxPrintSpeed,
      },
      codePage: {
        description: 'Default single-byte character code table, ESC t numbering (GS ( E fn 5, a = 97).',
        type: 'integer',
        minimum: 0,
        maximum: 255,
      },
      memorySwitches: {
        description:
          "Vendor memory switches (GS ( E fn 3): switch number → 8 characters, bit 8 first, '0' off, '1' on, '2' unchanged.",
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        patternProperties: { '^[1-8]$': { type: 'string', pattern: '^[012]{8}$' } },
      },
    },
  }
}

/**
 * Honeywell serial scanners: settings the scanner-barcode driver sends as menu commands
 * (`SYN M CR … .`). Framing (suffix, AIM prefix) is deliberately not offered: the driver's quirks
 * assume it, so changing it on the scanner would break every scan.
 */
export function honeywellScannerConfigSchema(): Record<string, unknown> {
  return {
    title: 'Honeywell scanner settings (menu commands)',
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      beeper: { description: 'Good-read beep (BEPBEP).', type: 'boolean' },
      beeperVolume: { description: 'Good-read beep volume (BEPLVL).', enum: ['off', 'low', 'medium', 'high'] },
    },
  }
}
