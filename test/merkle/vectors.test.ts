// Every inclusion and consistency case of transparency-dev/merkle proof/testdata, plus the KAT
// proofs: happy paths accepted, every negative rejected (false or a thrown NodeError).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readdirSync } from 'node:fs'
import { consistencyProof, hashLeaf, inclusionProof, rootFromInclusionProof, verifyConsistency, verifyInclusion } from '../../src/merkle/index.js'
import { fromBase64, fromHex, isNodeError, toHex } from '../../src/util/index.js'
import { readVector, repoPath } from '../helpers.js'

const b64 = (s: string): Uint8Array => fromBase64(s)
const files = (kind: string): string[][] => {
  const dir = repoPath('test', 'vectors', 'rfc6962', 'testdata', kind)
  return readdirSync(dir).sort().flatMap((d) => readdirSync(`${dir}/${d}`).sort().map((f) => [d, f]))
}

/** Runs `f`; a thrown NodeError counts as rejection (false), anything else is a bug. */
function accepted(f: () => boolean): boolean {
  try { return f() } catch (e) {
    if (isNodeError(e)) return false
    throw e
  }
}

test('every testdata/inclusion case: happy path accepted, every negative rejected', () => {
  const cases = files('inclusion')
  assert.is(cases.length, 49)
  for (const [d, f] of cases) {
    const v = readVector('rfc6962', 'testdata', 'inclusion', d!, f!)
    const ok = accepted(() => verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root)))
    assert.is(ok, !v.wantErr, `inclusion/${d}/${f}`)
  }
})

test('every testdata/consistency case: happy path accepted, every negative rejected', () => {
  const cases = files('consistency')
  assert.is(cases.length, 43)
  for (const [d, f] of cases) {
    const v = readVector('rfc6962', 'testdata', 'consistency', d!, f!)
    const ok = accepted(() => verifyConsistency(v.size1, v.size2, (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2)))
    assert.is(ok, !v.wantErr, `consistency/${d}/${f}`)
  }
})

const kat = readVector('rfc6962', 'rfc6962_kat.json')
const leafHashes = (kat.leaf_inputs_hex as string[]).map((h) => hashLeaf(fromHex(h)))
const root = (n: number): Uint8Array => fromHex(kat.root_hashes_by_size[String(n)])

test('inclusionProof reproduces every KAT inclusion proof, and each verifies', () => {
  assert.is(kat.inclusion_proofs.length, 5)
  for (const p of kat.inclusion_proofs) {
    const hashes = leafHashes.slice(0, p.treeSize)
    assert.equal(inclusionProof(p.leafIdx, hashes).map(toHex), p.proof, `leaf ${p.leafIdx} of ${p.treeSize}`)
    const proof = (p.proof as string[]).map((h) => fromHex(h))
    assert.equal(rootFromInclusionProof(p.leafIdx, p.treeSize, leafHashes[p.leafIdx]!, proof), root(p.treeSize))
    assert.ok(verifyInclusion(p.leafIdx, p.treeSize, leafHashes[p.leafIdx]!, proof, root(p.treeSize)))
  }
})

test('consistencyProof reproduces every KAT consistency proof, and each verifies', () => {
  assert.is(kat.consistency_proofs.length, 5)
  for (const p of kat.consistency_proofs) {
    assert.equal(consistencyProof(p.size1, leafHashes.slice(0, p.size2)).map(toHex), p.proof, `${p.size1} -> ${p.size2}`)
    const proof = (p.proof as string[]).map((h) => fromHex(h))
    assert.ok(verifyConsistency(p.size1, p.size2, proof, root(p.size1), root(p.size2)))
  }
})

test('rootFromInclusionProof throws MERKLE_BAD_PROOF when the index is beyond the size', () => {
  assert.throws(() => rootFromInclusionProof(1, 1, leafHashes[0]!, []), (e: any) => e.code === 'MERKLE_BAD_PROOF')
})

test('verifiers throw MERKLE_BAD_INPUT on misuse: unsafe sizes, non-bytes', () => {
  assert.throws(() => verifyInclusion(2 ** 64, 1, leafHashes[0]!, [], root(1)), (e: any) => e.code === 'MERKLE_BAD_INPUT')
  assert.throws(() => verifyInclusion(0, 1, 'x' as any, [], root(1)), (e: any) => e.code === 'MERKLE_BAD_INPUT')
  assert.throws(() => verifyConsistency(-1, 1, [], root(1), root(1)), (e: any) => e.code === 'MERKLE_BAD_INPUT')
})

test('consistency from size 0 holds with an empty proof and the empty root only', () => {
  assert.ok(verifyConsistency(0, 8, [], root(0), root(8)))
  assert.not.ok(verifyConsistency(0, 8, [], root(1), root(8)))
  assert.not.ok(verifyConsistency(0, 8, [root(1)], root(0), root(8)))
})

test.run()
