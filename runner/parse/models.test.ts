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

const SECOND = `from django.db import models

class Person(models.Model):
    code = models.CharField(primary_key=True, max_length=10, db_column='person_code')
    friends = models.ManyToManyField('self')
    idols = models.ManyToManyField('self', symmetrical=False, related_name='stalkers')
    clubs = models.ManyToManyField(
        'Club',
        related_name='members',
        db_table='club_members',
    )
    born = models.DateField(null=True)
    fee = models.DecimalField(max_digits=6, decimal_places=2, default=0)

    class Meta:
        db_table = 'people'
        ordering = ['code']

    def __str__(self):
        return '%s (%s)' % (self.code, self.born)

class Club(models.Model):
    number = models.AutoField(primary_key=True)
    """A docstring
    over two lines."""
    name = models.CharField(max_length=20)  # a comment
    name = models.TextField()
`

test('fields, relations, ordering, __str__, defaults', () => {
  const m = parseModels(BLOCK, 'd.md', 1)
  assert.equal(
    m.schema.models.map((x) => x.name),
    ['Author', 'Book']
  )
  assert.equal(m.schema.models[0]!.fields, [
    { name: 'name', type: 'string', nullable: false, maxLength: 50 },
    { name: 'born', type: 'integer', nullable: true }
  ])
  assert.equal(m.schema.models[0]!.ordering, [
    { field: 'born', descending: true },
    { field: 'name', descending: false }
  ])
  assert.equal(m.schema.models[1]!.ordering, [])
  assert.equal(m.schema.relations, [
    { name: 'Book.authors', source: 'Book', field: 'authors', target: 'Author', reverseQueryName: 'books', reverseAccessor: 'books' }
  ])
  assert.equal([...m.str.keys()], ['Author'])
  assert.is(m.str.get('Author')?.type, 'attribute')
  assert.equal([...m.defaults.get('Author')!.keys()], [])
  assert.is(m.classes.get('Author.name'), 'CharField')
  assert.is(m.places.get('Book.authors')?.line, 15)
})

test('self, symmetrical, several relations, strings, any class order, keys, tables, types', () => {
  const m = parseModels(SECOND, 'd.md', 1)
  const [person, club] = m.schema.models
  assert.equal(person!.primaryKey, { name: 'code', type: 'string', auto: false, maxLength: 10, column: 'person_code' })
  assert.is(person!.table, 'people')
  assert.equal(person!.ordering, [{ field: 'id', descending: false }])
  assert.equal(
    person!.fields.map((f) => [f.name, f.type]),
    [
      ['born', 'date'],
      ['fee', 'decimal']
    ]
  )
  assert.equal(club!.primaryKey, { name: 'number', type: 'integer', auto: true })
  assert.equal(club!.fields, [{ name: 'name', type: 'string', nullable: false }], 'Python keeps the last definition')
  const [friends, idols, clubs] = m.schema.relations
  assert.equal(friends, {
    name: 'Person.friends',
    source: 'Person',
    field: 'friends',
    target: 'Person',
    reverseQueryName: 'friends_rel_+',
    reverseAccessor: 'friends_rel_+',
    symmetrical: true
  })
  assert.equal([idols!.reverseAccessor, idols!.reverseQueryName, idols!.symmetrical], ['stalkers', 'stalkers', undefined])
  assert.equal([clubs!.target, clubs!.table, clubs!.reverseAccessor], ['Club', 'club_members', 'members'])
  assert.ok(m.defaults.get('Person')!.has('fee'))
})

test("Django's system checks and what the kit does not support, each at its line", () => {
  const two = (a: string, b: string) =>
    `class A(models.Model):\n    x = models.CharField(max_length=1)\nclass B(models.Model):\n    ${a}\n    ${b}`
  const cases: [string, string, number][] = [
    [
      two('a = models.ManyToManyField(A)', 'b = models.ManyToManyField(A)'),
      "fields.E304: Reverse accessor for 'B.a' clashes with reverse accessor for 'B.b'.",
      4
    ],
    [
      two("a = models.ManyToManyField(A, related_name='r')", "b = models.ManyToManyField(A, related_name='s', related_query_name='r')"),
      "fields.E305: Reverse query name for 'B.a' clashes with reverse query name for 'B.b'.",
      4
    ],
    [
      two("a = models.ManyToManyField(A, related_name='x')", 'y = models.IntegerField()'),
      "fields.E302: Reverse accessor for 'B.a' clashes with field name 'A.x'.",
      4
    ],
    [
      two("a = models.ManyToManyField(A, related_name='z', related_query_name='x')", 'y = models.IntegerField()'),
      "fields.E303: Reverse query name for 'B.a' clashes with field name 'A.x'.",
      4
    ],
    ['class A(models.Model):\n    x = models.ForeignKey("B", on_delete=models.CASCADE)', 'not supported by the kit: ForeignKey', 2],
    [
      'class A(models.Model):\n    x = models.ManyToManyField("A", through="T")',
      'not supported by the kit: ManyToManyField(through=...)',
      2
    ],
    [
      'class A(models.Model):\n    x = models.CharField(max_length=1)\nclass B(A):\n    y = models.CharField(max_length=1)',
      'not supported by the kit: model inheritance',
      3
    ],
    ['class A(models.Model):\n    x = models.GenericRelation("B")', 'not supported by the kit: GenericRelation', 2],
    ['class A(models.Model):\n    a__b = models.CharField(max_length=1)', 'fields.E002', 2],
    ['class A(models.Model):\n    __proto__ = models.CharField(max_length=1)', 'fields.E002', 2],
    ['class A(models.Model):\n    id = models.CharField(max_length=1)', 'models.E004', 2],
    [
      'class A(models.Model):\n    x = models.CharField(max_length=1)\n    def __str__(self):\n        return self.x.upper()',
      '__str__ of A',
      4
    ],
    [
      'class A(models.Model):\n    x = models.CharField(max_length=1)\n    def __str__(self):\n        if self.x:\n            return self.x',
      "a __str__ body other than one 'return <expression>'",
      4
    ]
  ]
  for (const [text, words, line] of cases) {
    try {
      parseModels(text, 'd.md', 1)
      assert.unreachable(text)
    } catch (e) {
      assert.instance(e, KitError, text)
      assert.ok((e as KitError).message.includes(words), (e as KitError).message)
      assert.is((e as KitError).place?.line, line, text)
    }
  }
})

test('default reverse names are the lower-cased model name', () => {
  const m = parseModels(
    "class A(models.Model):\n    x = models.CharField(max_length=1)\nclass B(models.Model):\n    a = models.ManyToManyField('A')\n",
    'd.md',
    1
  )
  assert.is(m.schema.relations[0]!.reverseQueryName, 'b')
  assert.is(m.schema.relations[0]!.reverseAccessor, 'b_set')
})

test('problems name the line', () => {
  const cases: [string, string, number][] = [
    ['class A(models.Model):\n    x = models.ForeignKey(B)', 'not supported', 2],
    ['class A(models.Model):\n    x = models.ManyToManyField(Nope)', "model 'Nope', which is either not installed", 2],
    [
      'class A(models.Model):\n    x = models.CharField(max_length=1)\n    class Meta:\n        ordering = ["y"]',
      "models.E015: 'ordering' refers to the nonexistent field, related field, or lookup 'y'",
      4
    ],
    ['class A(object):\n    pass', 'must subclass', 1],
    ['x = 1', 'expected a model class', 1],
    ['class A(models.Model):\n    x = models.CharField(max_length=', 'expected', 2]
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
