export * from './bytes.js'
export * from './errors.js'
export * from './abort.js'
export * from './metrics.js'
