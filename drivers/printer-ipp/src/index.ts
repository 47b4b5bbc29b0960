export * from './client/ipp-printer.ts'
export * from './codec/index.ts'
