// Where commands write: injectable so tests read what a user would see. A closed stdout (the
// reader of a pipe went away, as `| head -1` does) ends the output quietly, not with EPIPE.
export interface Io { out(line: string): void; err(line: string): void; errIsTTY: boolean }

let stdoutClosed = false
let guarded = false

/** Turns EPIPE on stdout or stderr into "stop writing there"; any other stream error still throws. */
export function guardClosedPipes(): void {
  if (guarded) return
  guarded = true
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') stdoutClosed = true; else throw e })
  process.stderr.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'EPIPE') throw e })
}

export const processIo: Io = {
  out: (line) => { if (!stdoutClosed) process.stdout.write(line + '\n') },
  err: (line) => { process.stderr.write(line + '\n') },
  get errIsTTY() { return process.stderr.isTTY === true },
}
