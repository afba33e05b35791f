import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { KitError } from '../errors.js'
import { parseModels } from './models.js'

const test = suite('parseModels')

const BLOCK = `from django.db import models

class Author(models.Model):
    name = models.CharField(max_length=50)
    born = models.IntegerField(null=True)

    class Meta:
        ordering = ['-born', 'name']

    def __str__(self):
        return self.name

class Book(models.Model):
    title = models.CharField(max_length=100)
    authors = models.ManyToManyField(Author, related_name='books')
`

test('fields, relations, ordering, __str__, defaults', () => {
  const m = parseModels(BLOCK, 'd.md', 1)
  assert.equal(m.schema.models.map((x) => x.name), ['Author', 'Book'])
  assert.equal(m.schema.models[0]!.fields, [
    { name: 'name', type: 'string', nullable: false, maxLength: 50 },
    { name: 'born', type: 'integer', nullable: true }
  ])
  assert.equal(m.schema.models[0]!.ordering, [{ field: 'born', descending: true }, { field: 'name', descending: false }])
  assert.equal(m.schema.models[1]!.ordering, [])
  assert.equal(m.schema.relations, [{ name: 'Book.authors', source: 'Book', field: 'authors', target: 'Author', reverseQueryName: 'books', reverseAccessor: 'books' }])
  assert.equal(m.strField, { Author: 'name', Book: undefined })
  assert.equal(m.defaults['Author'], { name: '', born: null })
})

test('default reverse names are the lower-cased model name', () => {
  const m = parseModels("class A(models.Model):\n    x = models.CharField(max_length=1)\nclass B(models.Model):\n    a = models.ManyToManyField('A')\n", 'd.md', 1)
  assert.is(m.schema.relations[0]!.reverseQueryName, 'b')
  assert.is(m.schema.relations[0]!.reverseAccessor, 'b_set')
})

test('problems name the line', () => {
  const cases: [string, string, number][] = [
    ['class A(models.Model):\n    x = models.ForeignKey(B)', 'not supported', 2],
    ['class A(models.Model):\n    x = models.ManyToManyField(Nope)', "unknown model 'Nope'", 2],
    ['class A(models.Model):\n    x = models.CharField(max_length=1)\n    class Meta:\n        ordering = ["y"]', "names 'y'", 4],
    ['class A(object):\n    pass', 'must subclass', 1],
    ['x = 1', 'expected a model class', 1],
    ['class A(models.Model):\n    x = models.CharField(max_length=', "expected", 2]
  ]
  for (const [text, words, line] of cases) {
    try {
      parseModels(text, 'd.md', 1)
      assert.unreachable(text)
    } catch (e) {
      assert.instance(e, KitError)
      assert.ok((e as KitError).message.includes(words), (e as KitError).message)
      assert.is((e as KitError).place?.line, line, text)
    }
  }
})

test.run()
