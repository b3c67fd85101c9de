// RFC 6962 §2.1 hashing and tree roots against transparency-dev/merkle's known answers.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { EMPTY_ROOT, hashChildren, hashLeaf, rootFromLeafHashes, treeLevels } from '../../src/merkle/index.js'
import { fromHex, toHex } from '../../src/util/index.js'
import { readVector } from '../helpers.js'

const kat = readVector('rfc6962', 'rfc6962_kat.json')
const leafHashes = (kat.leaf_inputs_hex as string[]).map((h) => hashLeaf(fromHex(h)))

test('every hasher KAT: empty root, leaf hash with 0x00 prefix, node hash with 0x01 prefix', () => {
  assert.ok(kat.hasher_kats.length >= 4)
  for (const k of kat.hasher_kats) {
    let got: Uint8Array
    if (k.op === 'emptyRoot') got = EMPTY_ROOT
    else if (k.op === 'hashLeaf') got = hashLeaf(fromHex(k.input_hex))
    else if (k.op === 'hashChildren') got = hashChildren(fromHex(k.left_hex), fromHex(k.right_hex))
    else throw new Error(`unknown op ${k.op}`)
    assert.is(toHex(got), k.want, k.desc)
  }
})

test('the root of the first n reference leaves matches root_hashes_by_size for every n', () => {
  const entries = Object.entries(kat.root_hashes_by_size as Record<string, string>)
  assert.is(entries.length, 9)
  for (const [n, want] of entries) assert.is(toHex(rootFromLeafHashes(leafHashes.slice(0, Number(n)))), want, `size ${n}`)
})

test('the levels of the 8-leaf tree match node_hashes_by_level', () => {
  const levels = treeLevels(leafHashes)
  assert.equal(levels.map((l) => l.map(toHex)), kat.node_hashes_by_level)
})

test('an odd last node is carried up unchanged: root(3) = H(H(l0,l1), l2)', () => {
  assert.equal(rootFromLeafHashes(leafHashes.slice(0, 3)), hashChildren(hashChildren(leafHashes[0]!, leafHashes[1]!), leafHashes[2]!))
})

test('rootFromLeafHashes rejects hashes that are not 32 bytes', () => {
  assert.throws(() => rootFromLeafHashes([new Uint8Array(31)]), (e: any) => e.code === 'MERKLE_BAD_INPUT')
})

test.run()
