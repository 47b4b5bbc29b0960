export * from './hid-keyboard-scanner-emulator.ts'
export * from './hid-pos-scanner-emulator.ts'
export * from './serial-scanner-emulator.ts'
