export * from './codec/index.ts'
export * from './driver/index.ts'
