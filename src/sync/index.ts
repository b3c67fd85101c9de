export * from './sync.js'
export * from './messages.js'
