export * from './client/driver-factory.ts'
export * from './client/ipp-printer.ts'
export * from './codec/index.ts'
