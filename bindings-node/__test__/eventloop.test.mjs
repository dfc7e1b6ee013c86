// I/O runs off the JavaScript thread: timers keep firing while leadgen works.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { leadgen, openMemory } from './helpers.mjs'

test('the event loop keeps running during a long call', async () => {
  const acme = (await openMemory()).tenant('acme')
  let n = 2_000
  for (;;) {
    const batch = Array.from({ length: n }, (_, i) => leadgen.newContact({ email: `e${n}-${i}@loop.test`, fullName: `Person ${i}` }))
    let ticks = 0
    const timer = setInterval(() => { ticks++ }, 1)
    const start = performance.now()
    const pending = acme.upsertContacts(batch)
    const returnedAfter = performance.now() - start
    await pending
    const took = performance.now() - start
    clearInterval(timer)
    if (took > 300 || n >= 256_000) {
      assert.ok(took > 300, 'the call was too fast to observe')
      // The call returned a Promise at once (only argument conversion ran on this thread)
      // and timers fired while the work went on elsewhere.
      assert.ok(returnedAfter < took / 2, `returned after ${returnedAfter} of ${took} ms`)
      assert.ok(ticks > 20, `only ${ticks} timer ticks during a ${took.toFixed(0)} ms call`)
      return
    }
    n *= 2
  }
})
