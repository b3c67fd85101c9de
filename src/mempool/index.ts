export * from './mempool.js'
