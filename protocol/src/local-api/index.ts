export * from './envelope.ts'
export * from './messages.ts'
export type { LocalizedText, ServiceInput } from '../services/service-definition.ts'
