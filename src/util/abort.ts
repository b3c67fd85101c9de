import { NodeError } from './errors.js'

/** Resolves after `ms`, or rejects with the signal's reason when aborted first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = (): void => { clearTimeout(t); reject(signal!.reason) }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Races `p` against a timeout and an optional signal; the timeout rejects with code TIMEOUT. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => done(() => reject(new NodeError({ code: 'TIMEOUT', what, ms }, `${what} timed out after ${ms} ms`))), ms)
    const onAbort = (): void => done(() => reject(signal!.reason))
    const done = (f: () => void): void => { clearTimeout(t); signal?.removeEventListener('abort', onAbort); f() }
    if (signal?.aborted) return done(() => reject(signal.reason))
    signal?.addEventListener('abort', onAbort, { once: true })
    p.then((v) => done(() => resolve(v)), (e) => done(() => reject(e)))
  })
}

/** A promise with its resolvers outside (Promise.withResolvers is absent in Node 20). */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}
