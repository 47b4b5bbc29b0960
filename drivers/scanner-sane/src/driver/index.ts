export * from './process-runner.ts'
export * from './sane-errors.ts'
export * from './sane-scanner.ts'
