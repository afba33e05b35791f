import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
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
  writeFileSync(
    join(pkg, 'index.js'),
    `export default { name: 'from-a-package', open: async (o) => (await import(${JSON.stringify(memoryUrl)})).default.open(o) }\n`
  )
  const factory = await loadAdapter('orm-adapter-example', dir)
  assert.is(factory.name, 'from-a-package')
})

test('a module without a factory, or a missing one, is a clear KitError', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-bad-'))
  writeFileSync(join(dir, 'nothing.js'), 'export const x = 1\n')
  for (const [spec, words] of [
    [join(dir, 'nothing.js'), 'must default-export'],
    ['./no/such/adapter.ts', 'no adapter at'],
    ['no-such-package-xyz', 'unknown adapter']
  ] as const) {
    try {
      await loadAdapter(spec)
      assert.unreachable(spec)
    } catch (e) {
      assert.instance(e, KitError, spec)
      assert.match((e as KitError).message, words)
    }
  }
})

test('adapters in CommonJS and ESM projects, in every module flavour, importing orm-conformance/contract', async () => {
  for (const type of ['commonjs', 'module']) {
    const dir = mkdtempSync(join(tmpdir(), `ormconf-${type}-`))
    mkdirSync(join(dir, 'node_modules'))
    symlinkSync(process.cwd(), join(dir, 'node_modules', 'orm-conformance'))
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type }))
    const body = (name: string) =>
      `defineAdapter({ name: '${name}', async open() { return { execute: async () => ({ kind: 'count', count: 0 }) } } })`
    const esm = (name: string) => `import { defineAdapter } from 'orm-conformance/contract'\nexport default ${body(name)}\n`
    const cjs = (name: string) => `const { defineAdapter } = require('orm-conformance/contract')\nmodule.exports = ${body(name)}\n`
    // Distinct names: tsx, like TypeScript, reads ./x.mjs from x.mts when both exist.
    const files: Record<string, string> = {
      'ts.ts': esm('ts'),
      'mts.mts': esm('mts'),
      'cts.cts': esm('cts'),
      'mjs.mjs': esm('mjs'),
      'cjs.cjs': cjs('cjs'),
      'js.js': type === 'module' ? esm('js') : cjs('js')
    }
    for (const [file, text] of Object.entries(files)) {
      writeFileSync(join(dir, file), text)
      const factory = await loadAdapter(`./${file}`, dir)
      assert.is(factory.name, file.split('.')[1], `${file} in a ${type} project`)
    }
  }
})

test.run()
