import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { defineAdapter, type Schema } from '../adapters/contract.js'
import memory from '../adapters/memory/index.js'
import { KitError } from './errors.js'
import { parseDocument } from './parse/document.js'
import { runDocument } from './run.js'
import { compareSchemas } from './schema-check.js'

const fixed: Schema = {
  models: [
    { name: 'Author', fields: [{ name: 'name', type: 'string', nullable: false }], ordering: [] },
    { name: 'Book', fields: [{ name: 'title', type: 'string', nullable: false }], ordering: [] }
  ],
  relations: [
    { name: 'Book.authors', source: 'Book', field: 'authors', target: 'Author', reverseQueryName: 'book', reverseAccessor: 'book_set' }
  ]
}

const test = suite('schema check')

test('equal schemas have no differences', () => {
  assert.equal(compareSchemas(fixed, fixed), [])
})

test('each difference is named', () => {
  const doc: Schema = {
    models: [
      {
        name: 'Author',
        fields: [
          { name: 'name', type: 'integer', nullable: false },
          { name: 'born', type: 'integer', nullable: true }
        ],
        ordering: []
      },
      { name: 'Shelf', fields: [], ordering: [] }
    ],
    relations: [
      { name: 'Book.editors', source: 'Book', field: 'editors', target: 'Author', reverseQueryName: 'book', reverseAccessor: 'book_set' }
    ]
  }
  assert.equal(compareSchemas(doc, fixed), [
    'field Author.name is integer in the document but string in the adapter',
    'field Author.born is missing from the adapter',
    'model Shelf is missing from the adapter',
    'relation Book.editors is missing from the adapter'
  ])
})

test('runDocument refuses before opening the adapter', async () => {
  let opened = false
  const adapter = defineAdapter({
    name: 'fixed',
    schema: fixed,
    open: async (o) => {
      opened = true
      return memory.open(o)
    }
  })
  const doc = parseDocument(
    '```python\nclass Author(models.Model):\n    nick = models.CharField(max_length=9)\n```\n\n```pycon\n>>> 1\n1\n```\n',
    'd.md'
  )
  try {
    await runDocument(doc, { adapter })
    assert.unreachable()
  } catch (e) {
    assert.instance(e, KitError)
    assert.match(
      (e as KitError).format(),
      "d.md:1:1: the document's models do not match adapter 'fixed': field Author.nick is missing from the adapter"
    )
  }
  assert.not.ok(opened)
})

test.run()
