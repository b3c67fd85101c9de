import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BoundedMap } from '../../src/util/index.js'

test('a bounded map forgets its oldest entry once a set takes it past its bound', () => {
  const m = new BoundedMap<string, number>(2)
  m.set('a', 1).set('b', 2)
  assert.equal([...m.keys()], ['a', 'b'])
  m.set('c', 3)
  assert.equal([...m.entries()], [['b', 2], ['c', 3]])
  m.set('b', 20) // an update keeps its place and evicts nothing
  assert.equal([...m.entries()], [['b', 20], ['c', 3]])
})

test.run()
