export * from './note.js'
export * from './checkpoint.js'
export * from './tlogproof.js'
