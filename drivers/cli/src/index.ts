export * from './discovery/serial-ports.ts'
export * from './exit-codes.ts'
export * from './main.ts'
