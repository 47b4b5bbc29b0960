export * from './device-list.ts'
export * from './sane-status.ts'
export * from './scan-args.ts'
