// Shared test helpers: paths into the repository and vector loading. Tests run from dist/test.
import { readFileSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(d, 'package.json'))) d = dirname(d)
  return d
}
export const repoRoot = findRoot()
export const repoPath = (...parts: string[]): string => join(repoRoot, ...parts)
export const readVector = <T = any>(...parts: string[]): T =>
  JSON.parse(readFileSync(repoPath('test', 'vectors', ...parts), 'utf8')) as T
