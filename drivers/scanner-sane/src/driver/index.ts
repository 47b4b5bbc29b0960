export * from './driver-factory.ts'
export * from './process-runner.ts'
export * from './sane-errors.ts'
export * from './sane-scanner.ts'
