export * from './test-backend.ts'
