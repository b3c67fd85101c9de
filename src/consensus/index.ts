// PBFT consensus (Castro–Liskov): the pure state machine, its wire messages and the engine shell.
export * from './types.js'
export { step, type StepResult } from './step.js'
export { initialState, restore, compactRecords, messageStoreSize } from './state.js'
export { defaultConsensusOptions } from './options.js'
export { encodeMessage, decodeMessage, signedPayload, defaultDecodeLimits, type DecodeLimits } from './messages.js'
export { faultsTolerated, quorumSize, primaryOf, verifyCertificate, verifyPreparedCert, verifyViewChange, validCertSigs, signMessage } from './quorum.js'
export { planNewView, type NewViewPlan } from './viewchange.js'
