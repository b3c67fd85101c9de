export * from './node.js'
export * from './options.js'
export * from './config.js'
export * from './addresses.js'
