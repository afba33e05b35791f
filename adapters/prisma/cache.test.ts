import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Schema } from '../contract.js'
import { cachedClient, runtimeModule } from './cache.js'
import { renderPrismaSchema } from './schema.js'

const test = suite('Prisma client cache')

// A schema of its own, in a cache of its own: the first call must generate.
const schema: Schema = {
  models: [{ name: 'Gadget', fields: [{ name: 'label', type: 'string', nullable: false }], ordering: [] }],
  relations: [
    { name: 'Gadget.parts', source: 'Gadget', field: 'parts', target: 'Gadget', reverseQueryName: 'gadget', reverseAccessor: 'gadget_set' }
  ]
}
const render = (output: string) => renderPrismaSchema(schema, 'sqlite', output)

test('two concurrent first runs both get a client; a later run generates nothing', async () => {
  process.env['ORM_CONFORMANCE_CACHE'] = mkdtempSync(join(tmpdir(), 'ormconf-cache-'))
  try {
    const [a, b] = await Promise.all([cachedClient(render), cachedClient(render)])
    assert.ok(a.generated || b.generated, 'the first runs generate')
    assert.is(a.module, b.module)
    const made = statSync(a.module).mtimeMs
    const again = await cachedClient(render)
    assert.is(again.generated, false)
    assert.is(statSync(again.module).mtimeMs, made, 'the cached client is not rewritten')
    assert.equal(
      readdirSync(process.env['ORM_CONFORMANCE_CACHE']).filter((f) => f.startsWith('tmp-')),
      [],
      'no temporary directory is left'
    )
    const { PrismaClient } = (await import(again.module)) as { PrismaClient: unknown }
    assert.type(PrismaClient, 'function')
    // The query compiler is kept as WebAssembly, compiled by the entry's own module: the shipped one, decoded.
    assert.not.match(readFileSync(again.module, 'utf8'), 'wasm-base64')
    const kept = readFileSync(join(dirname(again.module), 'query-compiler.wasm'))
    const shipped = (await import('@prisma/client/runtime/query_compiler_fast_bg.sqlite.wasm-base64.mjs')) as { wasm: string }
    assert.ok(kept.equals(Buffer.from(shipped.wasm, 'base64')), 'the kept WebAssembly is the shipped one')
    const { module } = (await import(join(dirname(again.module), 'query-compiler.mjs'))) as { module: Promise<WebAssembly.Module> }
    assert.instance(await module, WebAssembly.Module)
    // The runtime the client imports is the one the adapter preloads (one copy), and it is ESM.
    const runtime = /from "(file:[^"]*runtime\/client[^"]*)"/.exec(readFileSync(again.module, 'utf8'))?.[1]
    assert.is(runtime, runtimeModule())
    assert.match(runtime!, /\.mjs$/)
  } finally {
    delete process.env['ORM_CONFORMANCE_CACHE']
  }
})

test.run()
