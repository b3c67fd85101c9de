export * from './server.js'
export * from './deps.js'
export * from './errors.js'
