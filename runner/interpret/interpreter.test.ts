import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ALL_FEATURES, type Feature } from '../../adapters/contract.js'
import memory from '../../adapters/memory/index.js'
import { parseStatement } from '../language/parse.js'
import { parseModels } from '../parse/models.js'
import { PyException } from './exceptions.js'
import { Interpreter } from './interpreter.js'

const MODELS = parseModels(
  `class Author(models.Model):
    name = models.CharField(max_length=50)
    class Meta:
        ordering = ['name']
    def __str__(self):
        return self.name

class Book(models.Model):
    title = models.CharField(max_length=100)
    authors = models.ManyToManyField(Author)
    class Meta:
        ordering = ['title']
    def __str__(self):
        return self.title
`,
  'models',
  1
)

/** A fresh session; `say(stmt)` returns the output or the exception line. */
async function session(features: readonly Feature[] = []) {
  const db = await memory.open({ schema: MODELS.schema })
  const py = new Interpreter(MODELS, (op) => db.execute(op), { features })
  return async (source: string): Promise<string> => {
    try {
      return await py.execute(parseStatement(source))
    } catch (e) {
      if (e instanceof PyException) return e.line()
      throw e
    }
  }
}

async function library(features: readonly Feature[] = []) {
  const say = await session(features)
  for (const s of [
    "a1 = Author.objects.create(name='Ann')",
    "a2 = Author.objects.create(name='Bob')",
    "a3 = Author.objects.create(name='Cy')",
    "b1 = Book(title='Dune')",
    'b1.save()',
    "b2 = Book.objects.create(title='Emma')",
    'b1.authors.add(a1, a2)',
    'a3.book_set.add(b2)'
  ])
    assert.is(await say(s), '', s)
  return say
}

const test = suite('interpreter')

test('displays values like the Python prompt; None shows nothing', async () => {
  const say = await session()
  assert.is(await say("x = Author(name='Q')"), '')
  assert.is(await say('x'), '<Author: Q>\n')
  assert.is(await say('x.id'), '')
  assert.is(await say("print('a', 1, None)"), 'a 1 None\n')
  assert.is(await say("[1, 'a', (2,), {'k': True}]"), "[1, 'a', (2,), {'k': True}]\n")
  assert.is(await say('nope'), "NameError: name 'nope' is not defined\n")
  assert.is(await say('x.nope'), "AttributeError: 'Author' object has no attribute 'nope'\n")
})

test('join duplicates, distinct, count across the relation from both sides', async () => {
  const say = await library()
  assert.is(await say("Book.objects.filter(authors__name__in=['Ann', 'Bob'])"), '<QuerySet [<Book: Dune>, <Book: Dune>]>\n')
  assert.is(await say("Book.objects.filter(authors__name__in=['Ann', 'Bob']).distinct()"), '<QuerySet [<Book: Dune>]>\n')
  assert.is(await say("Book.objects.filter(authors__name__in=['Ann', 'Bob']).count()"), '2\n')
  assert.is(await say("Book.objects.filter(authors__name__in=['Ann', 'Bob']).distinct().count()"), '1\n')
  assert.is(await say('Author.objects.filter(book=b1)'), '<QuerySet [<Author: Ann>, <Author: Bob>]>\n')
  assert.is(await say('Book.objects.exclude(authors=a1)'), '<QuerySet [<Book: Emma>]>\n')
})

test("a related manager's filter shares its join (Django's sticky filter)", async () => {
  const say = await library()
  // Ann's books whose authors include Bob: joined through the same link, so none.
  assert.is(await say("a1.book_set.filter(authors__name='Bob')"), '<QuerySet []>\n')
  // The manager's all() is still sticky; a queryset's all() is not (checked against Django 3.2).
  assert.is(await say("a1.book_set.all().filter(authors__name='Bob')"), '<QuerySet []>\n')
  assert.is(await say("a1.book_set.all().all().filter(authors__name='Bob')"), '<QuerySet [<Book: Dune>]>\n')
  // The first filter() uses the stickiness up, even with local conditions only.
  assert.is(await say("a1.book_set.filter(title='Dune').filter(authors__name='Bob')"), '<QuerySet [<Book: Dune>]>\n')
})

test('querysets are lazy, and len()/list() fill the result cache', async () => {
  const say = await library()
  assert.is(await say("q = Author.objects.filter(name__startswith='A')"), '')
  assert.is(await say("Author.objects.create(name='Abe')"), '<Author: Abe>\n')
  assert.is(await say('q'), '<QuerySet [<Author: Abe>, <Author: Ann>]>\n')
  assert.is(await say('len(q)'), '2\n')
  assert.is(await say("Author.objects.create(name='Al')"), '<Author: Al>\n')
  assert.is(await say('q.count()'), '2\n', 'cached')
  assert.is(await say('q.all().count()'), '3\n', 'a clone is not cached')
  assert.is(await say('q.delete()'), "(4, {'doc.Book_authors': 1, 'doc.Author': 3})\n")
  assert.is(await say('print(q)'), '<QuerySet []>\n')
})

test('get, first, last, exists, indexing and slicing', async () => {
  const say = await library()
  assert.is(await say("Author.objects.get(name='Nobody')"), 'Author.DoesNotExist: Author matching query does not exist.\n')
  assert.is(await say('Author.objects.get()'), 'Author.MultipleObjectsReturned: get() returned more than one Author -- it returned 3!\n')
  assert.is(await say('Author.objects.first()'), '<Author: Ann>\n')
  assert.is(await say('Author.objects.order_by().last()'), '<Author: Cy>\n')
  assert.is(await say("Author.objects.order_by('-name')[0]"), '<Author: Cy>\n')
  assert.is(await say('Author.objects.all()[1:3]'), '<QuerySet [<Author: Bob>, <Author: Cy>]>\n')
  assert.is(await say('Author.objects.all()[5]'), 'IndexError: list index out of range\n')
  assert.is(await say('Author.objects.all()[-1]'), 'AssertionError: Negative indexing is not supported.\n')
  assert.is(await say("Author.objects.filter(name='x').exists()"), 'False\n')
})

test('values() and values_list()', async () => {
  const say = await library()
  assert.is(await say("Author.objects.values('name')[:2]"), "<QuerySet [{'name': 'Ann'}, {'name': 'Bob'}]>\n")
  assert.is(await say("Author.objects.values_list('id', 'name')[:1]"), "<QuerySet [(1, 'Ann')]>\n")
  assert.is(await say("Author.objects.values_list('name', flat=True)"), "<QuerySet ['Ann', 'Bob', 'Cy']>\n")
})

test("Django's errors for unsaved instances, wrong types and unknown names", async () => {
  const say = await library()
  assert.is(await say("n = Book(title='New')"), '')
  assert.is(
    await say('n.authors.add(a1)'),
    'ValueError: "<Book: New>" needs to have a value for field "id" before this many-to-many relationship can be used.\n'
  )
  assert.is(
    await say("b1.authors.add(Author(name='Z'))"),
    'ValueError: Cannot add "<Author: Z>": instance is on database "default", value is on database "None"\n'
  )
  assert.is(await say('b1.authors.add(b2)'), "TypeError: 'Author' instance expected, got <Book: Emma>\n")
  assert.is(
    await say('Book.objects.filter(nope=1)'),
    "django.core.exceptions.FieldError: Cannot resolve keyword 'nope' into field. Choices are: authors, id, title\n"
  )
  assert.is(
    await say("Book.objects.filter(title__foo='x')"),
    "django.core.exceptions.FieldError: Unsupported lookup 'foo' for CharField or join on the field not permitted.\n"
  )
  assert.is(await say("Book(nope='x')"), "TypeError: Book() got an unexpected keyword argument 'nope'\n")
})

test('ids are never reused, deleted instances forget their id, set(clear=) and create', async () => {
  const say = await library()
  assert.is(await say('b2.delete()'), "(2, {'doc.Book_authors': 1, 'doc.Book': 1})\n")
  assert.is(await say('b2.id'), '')
  assert.is(await say("Book.objects.create(title='Fox').id"), '3\n')
  assert.is(await say('b1.authors.set([a3], clear=True)'), '')
  assert.is(await say('b1.authors.all()'), '<QuerySet [<Author: Cy>]>\n')
  assert.is(await say("a1.book_set.create(title='Gold')"), '<Book: Gold>\n')
  assert.is(await say('a1.book_set.all()'), '<QuerySet [<Book: Gold>]>\n')
  assert.is(await say('b1.authors.set([1, 2])'), '')
  assert.is(await say('b1.authors.all()'), '<QuerySet [<Author: Ann>, <Author: Bob>]>\n')
})

test('repr truncates after 20 items', async () => {
  const say = await session()
  for (let i = 0; i < 21; i++) await say(`Author.objects.create(name='n${String(i).padStart(2, '0')}')`)
  const out = await say('Author.objects.all()')
  assert.ok(out.endsWith("<Author: n19>, '...(remaining elements truncated)...']>\n"), out)
})

test.run()

const wider = suite('the wider QuerySet API')

wider('needs feature queries: an adapter without it errors the case, named', async () => {
  const say = await library()
  for (const stmt of [
    "Book.objects.filter(Q(title='Dune') | Q(title='Emma'))",
    "Book.objects.annotate(n=Count('authors'))",
    "Book.objects.values_list('authors__name', flat=True)",
    "Book.objects.order_by('authors__name')"
  ]) {
    await say('from django.db.models import Q, Count')
    try {
      await say(stmt)
      assert.unreachable(stmt)
    } catch (e) {
      assert.match(String(e), "does not declare feature 'queries'", stmt)
    }
  }
})

wider('Q objects print as Django prints them (outputs from spec/bookshop-queries.md)', async () => {
  const say = await session(ALL_FEATURES)
  await say('from django.db.models import Q, F')
  assert.is(await say('Q(rating=4) | Q(rating=5)'), "<Q: (OR: ('rating', 4), ('rating', 5))>\n")
  assert.is(await say('~Q(pages__lt=100)'), "<Q: (NOT (AND: ('pages__lt', 100)))>\n")
  assert.is(await say("F('pages') + 10"), '<CombinedExpression: F(pages) + Value(10)>\n')
})

wider('comprehensions keep their names to themselves', async () => {
  const say = await library(ALL_FEATURES)
  assert.is(await say('a = 1'), '')
  assert.is(await say('[a.name for a in Author.objects.all() if a.name != "Bob"]'), "['Ann', 'Cy']\n")
  assert.is(await say('a'), '1\n')
  assert.is(
    await say('{b.title: [x.name for x in b.authors.all()] for b in Book.objects.all()}'),
    "{'Dune': ['Ann', 'Bob'], 'Emma': ['Cy']}\n"
  )
})

wider('prefetch_related: one query per level instead of one per instance, the same results', async () => {
  const db = await memory.open({ schema: MODELS.schema })
  let ops = 0
  const py = new Interpreter(
    MODELS,
    (op) => {
      ops++
      return db.execute(op)
    },
    { features: ALL_FEATURES }
  )
  const say = (s: string) => py.execute(parseStatement(s))
  for (const s of [
    "a1 = Author.objects.create(name='Ann')",
    "a2 = Author.objects.create(name='Bob')",
    "b1 = Book.objects.create(title='Dune')",
    "b2 = Book.objects.create(title='Emma')",
    "b3 = Book.objects.create(title='Fire')",
    'b1.authors.add(a1, a2)',
    'b2.authors.add(a2)'
  ])
    await say(s)
  const count = async (s: string) => {
    ops = 0
    const out = await say(s)
    return { out, ops }
  }
  const plain = await count('[[a.name for a in b.authors.all()] for b in Book.objects.all()]')
  const prefetched = await count("[[a.name for a in b.authors.all()] for b in Book.objects.prefetch_related('authors')]")
  assert.is(plain.out, "[['Ann', 'Bob'], ['Bob'], []]\n")
  assert.is(prefetched.out, plain.out)
  assert.is(plain.ops, 4)
  assert.is(prefetched.ops, 2)
})

wider.run()
