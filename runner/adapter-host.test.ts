import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Schema } from '../adapters/contract.js'
import { hostAdapter } from './adapter-host.js'
import { KitError } from './errors.js'
import { SessionLost } from './interpret/exceptions.js'
import { readDocument } from './parse/document.js'

const schema: Schema = (await readDocument('spec/many-to-many.md')).models.schema
const test = suite('an adapter in a thread of its own')

test('the factory and the answers cross; queryCount follows each answer', async () => {
  const host = await hostAdapter('./runner/fixtures/uncloneable-adapter.ts')
  try {
    assert.is(host.name, 'uncloneable')
    assert.equal(host.features, ['queries'])
    const a = await host.open({ schema })
    assert.is(a.queryCount?.(), 0)
    const made = await a.execute({ kind: 'insert', model: 'Publication', values: { title: 'x' } } as never)
    assert.equal(made, { kind: 'inserted', id: 1 })
    assert.is(a.queryCount?.(), 2)
    await a.close?.()
  } finally {
    await host.stop()
  }
})

test('an answer that cannot cross threads rejects, naming why; the session goes on', async () => {
  const host = await hostAdapter('./runner/fixtures/uncloneable-adapter.ts')
  try {
    const a = await host.open({ schema })
    const e = await a.execute({ kind: 'count', query: { model: 'Publication', filters: [] } } as never).catch((x: Error) => x)
    assert.instance(e, Error)
    assert.match((e as Error).message, /its answer cannot be passed on: .*could not be cloned/)
    assert.not.instance(e, SessionLost)
    assert.ok(await a.execute({ kind: 'insert', model: 'Publication', values: { title: 'y' } } as never))
  } finally {
    await host.stop()
  }
})

test('a module that cannot load is a KitError naming it', async () => {
  const e = await hostAdapter('./runner/fixtures/no-such-adapter.ts').catch((x: unknown) => x)
  assert.instance(e, KitError)
  assert.match((e as KitError).message, /no adapter at '\.\/runner\/fixtures\/no-such-adapter\.ts'/)
})

test('stop() ends a thread stuck in a loop within seconds, and drops the SQLite scratch it held', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ormconf-host-'))
  const env = { ...process.env }
  Object.assign(process.env, { ORMCONF_FIXTURE_LOOP: 'count', TMPDIR: tmp }) // the thread copies the environment
  const host = await hostAdapter('./runner/fixtures/scratch-adapter.ts').finally(() => {
    process.env['TMPDIR'] = env['TMPDIR'] ?? ''
    if (env['TMPDIR'] === undefined) delete process.env['TMPDIR']
    delete process.env['ORMCONF_FIXTURE_LOOP']
  })
  const scratches = () => readdirSync(tmp).filter((f) => f.startsWith('ormconf-'))
  const a = await host.open({ schema }).catch(async (e: unknown) => {
    await host.stop()
    throw e
  })
  const before = scratches().length
  const counting = a.execute({ kind: 'count', query: { model: 'Publication', filters: [] } } as never).catch((x: unknown) => x)
  await new Promise((r) => setTimeout(r, 100))
  const started = performance.now()
  await host.stop() // before any assertion: a looping thread must not outlive a failure
  assert.is(before, 1, 'the scratch directory existed')
  assert.ok(performance.now() - started < 5000)
  assert.instance(await counting, SessionLost)
  assert.equal(scratches(), [], 'dropped from the kit thread')
  // Later calls are refused at once; close() does not hang or throw.
  assert.instance(
    await a.execute({ kind: 'count', query: { model: 'Publication', filters: [] } } as never).catch((x: unknown) => x),
    SessionLost
  )
  await a.close?.()
})

test.run()
