export * from './escpos-printer.ts'
export * from './health.ts'
export * from './options.ts'
