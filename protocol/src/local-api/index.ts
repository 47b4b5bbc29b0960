export * from './envelope.ts'
export * from './messages.ts'
