export * from './ssc-card-data.ts'
export * from './virtual-ssc-card.ts'
export * from './vpcd-card.ts'
