export * from './barcode-scanner-driver.ts'
export * from './options-from-quirks.ts'
export * from './scanner-health.ts'
export * from './scanner-transports.ts'
