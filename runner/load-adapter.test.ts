import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { KitError } from './errors.js'
import { loadAdapter } from './load-adapter.js'

const test = suite('loadAdapter')

test('built-in names, .ts and .js paths, a directory', async () => {
  assert.is((await loadAdapter('memory')).name, 'memory')
  assert.is((await loadAdapter('./runner/fixtures/hanging-adapter.ts')).name, 'hangs-on-count')
  assert.is((await loadAdapter('./runner/fixtures/wrong-shape-adapter.js')).name, 'wrong-shape')
  assert.is((await loadAdapter('./adapters/memory')).name, 'memory')
})

test('an installed package, resolved from the working directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-pkg-'))
  const pkg = join(dir, 'node_modules', 'orm-adapter-example')
  mkdirSync(pkg, { recursive: true })
  writeFileSync(join(dir, 'package.json'), '{"name": "consumer", "private": true}')
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'orm-adapter-example', type: 'module', main: 'index.js' }))
  const memoryUrl = pathToFileURL(join(process.cwd(), 'adapters/memory/index.ts')).href
  writeFileSync(join(pkg, 'index.js'), `export default { name: 'from-a-package', open: async (o) => (await import(${JSON.stringify(memoryUrl)})).default.open(o) }\n`)
  const factory = await loadAdapter('orm-adapter-example', dir)
  assert.is(factory.name, 'from-a-package')
})

test('a module without a factory, or a missing one, is a clear KitError', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-bad-'))
  writeFileSync(join(dir, 'nothing.js'), 'export const x = 1\n')
  for (const [spec, words] of [[join(dir, 'nothing.js'), 'must default-export'], ['./no/such/adapter.ts', 'no adapter at'], ['no-such-package-xyz', 'unknown adapter']] as const) {
    try {
      await loadAdapter(spec)
      assert.unreachable(spec)
    } catch (e) {
      assert.instance(e, KitError, spec)
      assert.match((e as KitError).message, words)
    }
  }
})

test.run()
