export * from './api-client.ts'
export * from './main.ts'
