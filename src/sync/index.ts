export * from './sync.js'
export * from './messages.js'
export * from './ahead.js'
