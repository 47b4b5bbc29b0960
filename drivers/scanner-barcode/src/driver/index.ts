export * from './barcode-scanner-driver.ts'
export * from './scanner-health.ts'
export * from './scanner-transports.ts'
