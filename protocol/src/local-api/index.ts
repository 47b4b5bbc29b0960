export type { LocalizedText, ServiceInput } from '../services/service-definition.ts'
export * from './envelope.ts'
export * from './messages.ts'
