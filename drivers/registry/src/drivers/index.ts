export * from './driver-factories.ts'
