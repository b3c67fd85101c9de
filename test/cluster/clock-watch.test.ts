// One validator whose clock is two hours behind (libfaketime, Debian's faketime package): the
// others stay live, and the skewed node says so on /healthz, /metrics and in its log.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { deployHosts, waitFor, type Hosts } from './hosts.js'

const SKEWED = 3 // court-4: not the primary of view 0, so the others need no view change
let h: Hosts

test.before(async () => {
  h = await deployHosts({ setup: 'library', faketime: { node: SKEWED, offset: '-2h' } })
})
test.after(async () => { await h?.stop() })

const offsetOf = (metrics: string): number => Number(/^courtchain_clock_offset_seconds (\S+)$/m.exec(metrics)?.[1])

test('the others stay live; the skewed node reports its offset on /healthz and /metrics', async () => {
  const others = [0, 1, 2]
  await waitFor('the others are healthy', async () => (await Promise.all(others.map((i) => h.get(i, '/healthz').catch(() => null)))).every((r) => r?.ok === true), 60_000)
  for (let k = 0; k < 3; k++) {
    const r = await h.deposit(others[k]!, `with-a-skewed-peer-${k}`)
    assert.is(r.body.status, 'committed', JSON.stringify(r.body))
  }
  const health = await waitFor('the skewed node fails /healthz on its clock', async () => {
    const r = await h.get(SKEWED, '/healthz').catch(() => null)
    return r?.httpStatus === 503 && r.reasons?.some((x: any) => x.code === 'CLOCK_OFFSET') && r
  }, 30_000)
  assert.match(health.message, /clock is -7[12]\d\d\.\d s off/)
  const skewed = offsetOf((await h.get(SKEWED, '/metrics')).text)
  assert.ok(Math.abs(skewed + 7200) < 60, `skewed node's offset ${skewed} s`)
  for (const i of others) {
    const off = offsetOf((await h.get(i, '/metrics')).text)
    assert.ok(Math.abs(off) < 2.5, `node ${i} offset ${off} s`)
    assert.is((await h.get(i, '/healthz')).ok, true)
  }
  assert.match(h.logs(SKEWED, 10_000), /"level":50[^\n]*"mod":"clock"[^\n]*7[12]\d\d\.\d s behind the validators'/)
})

test.run()
