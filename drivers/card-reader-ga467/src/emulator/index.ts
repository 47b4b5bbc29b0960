export * from './emulated-card.ts'
export * from './ga467-emulator.ts'
