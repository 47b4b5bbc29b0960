export * from './codec/index.ts'
export * from './driver/index.ts'
export * from './hid/sam-over-hid-transport.ts'
