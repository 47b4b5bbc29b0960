export * from './open-transport.ts'
export * from './serial-transport.ts'
export * from './tcp-transport.ts'
