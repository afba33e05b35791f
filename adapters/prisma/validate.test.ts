import { readdirSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readDocument } from '../../runner/parse/document.js'
import type { Schema } from '../contract.js'
import { featureSchemas, schema as seed } from '../contract-suite.js'
import { type Provider, renderPrismaSchema } from './schema.js'
import { validatePrismaSchema } from './validate.js'

const PROVIDERS: readonly Provider[] = ['sqlite', 'postgresql', 'mysql']

/** Edge cases no document has yet: hidden reverse accessors whose generated names would clash, a long text key, a renamed key column, a unique text field. */
const edges: Schema = {
  models: [
    {
      name: 'Item',
      primaryKey: { name: 'number', type: 'integer', auto: true, column: 'item_no' },
      table: 'shop_item',
      fields: [{ name: 'name', type: 'string', maxLength: 30, nullable: false, column: 'label_text' }],
      ordering: []
    },
    {
      name: 'Code',
      primaryKey: { name: 'code', type: 'string', auto: false, maxLength: 300 },
      fields: [{ name: 'note', type: 'string', nullable: true, unique: true }],
      ordering: []
    },
    {
      name: 'Seat',
      primaryKey: { name: 'seat', type: 'integer', auto: false },
      fields: [{ name: 'price', type: 'decimal', maxDigits: 8, decimalPlaces: 3, nullable: true }],
      ordering: []
    },
    { name: 'Box', fields: [], ordering: [] }
  ],
  relations: [
    {
      name: 'Item.codes',
      source: 'Item',
      field: 'codes',
      target: 'Code',
      reverseQueryName: 'items',
      reverseAccessor: 'items',
      table: 'item_codes'
    },
    { name: 'Seat.codes', source: 'Seat', field: 'codes', target: 'Code', reverseQueryName: '+', reverseAccessor: '+' },
    { name: 'Box.codes', source: 'Box', field: 'codes', target: 'Code', reverseQueryName: '+', reverseAccessor: '+' }
  ]
}

const test = suite("Prisma's own validation of rendered schemas (in process)")

const check = (name: string, schema: Schema) => {
  for (const provider of PROVIDERS) {
    const text = renderPrismaSchema(schema, provider, './client')
    try {
      validatePrismaSchema(text)
    } catch (e) {
      assert.unreachable(`${name} on ${provider}: ${(e as Error).message}\n${text}`)
    }
  }
}

test('every spec document, on every provider', async () => {
  const docs = readdirSync('spec').filter((f) => f.endsWith('.md'))
  assert.ok(docs.length >= 8)
  for (const doc of docs) check(doc, (await readDocument(`spec/${doc}`)).models.schema)
})

test('the contract suite schemas and edge cases, on every provider', () => {
  check('seed', seed)
  for (const [name, schema] of Object.entries(featureSchemas)) check(name, schema)
  check('edges', edges)
})

test('the validator rejects what Prisma rejects', () => {
  assert.throws(() => validatePrismaSchema('datasource db {\n  provider = "sqlite"\n}\n\nmodel A {\n  id Int @id\n  b  B[]\n}\n'), /B/)
})

test.run()
