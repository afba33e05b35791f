import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { renderMigration, renderPrismaSchema, type Provider } from '../adapters/prisma/schema.js'
import { readDocument } from '../runner/parse/document.js'
import { PROVIDERS, seedFiles } from './generate.mjs'

test("the worked example is the seed rendered by the adapter's own functions, byte for byte", async () => {
  for (const [path, text] of await seedFiles()) assert.is(readFileSync(path, 'utf8'), text, path)
})

test('the seed migration is Prisma\'s implicit m-n: _ArticleToPublication, A/B, cascades', async () => {
  for (const provider of PROVIDERS) {
    const sql = readFileSync(`prisma/migrations/${provider}/0001_init/migration.sql`, 'utf8')
    for (const part of ['_ArticleToPublication', '_ArticleToPublication_B_index', 'ON DELETE CASCADE']) assert.ok(sql.includes(part), `${provider}: ${part}`)
  }
})

test('named relations for self relations, several relations and db_table; maps for tables and columns', async () => {
  const { schema } = (await readDocument('spec/keys-and-tables.md')).models
  const prisma = renderPrismaSchema(schema, 'postgresql', './out')
  assert.match(prisma, '@@map("shop_item")')
  assert.match(prisma, 'name   String @map("label_text")')
  assert.match(prisma, '@relation("item_codes")')
  assert.match(prisma, 'code   String  @id')
  assert.match(renderMigration(schema, 'postgresql'), 'CREATE TABLE "_item_codes" (\n    "A" TEXT NOT NULL,\n    "B" INTEGER NOT NULL')
  const self = renderPrismaSchema((await readDocument('spec/friends-and-idols.md')).models.schema, 'sqlite', './out')
  assert.match(self, 'friends     Person[] @relation("Person_friends")\n  friends_rev Person[] @relation("Person_friends")')
  assert.match(self, 'stalkers    Person[] @relation("Person_idols")')
})

const run = promisify(execFile)

test("a rendered schema passes the `prisma validate` CLI", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-validate-'))
  // The CLI once (a second each): adapters/prisma/validate.test.ts runs the same validator in process for every document and provider.
  const jobs: [string, Provider][] = [['spec/field-types.md', 'mysql']]
  await Promise.all(jobs.map(async ([doc, provider], i) => {
    const file = join(dir, `${i}.prisma`)
    writeFileSync(file, renderPrismaSchema((await readDocument(doc)).models.schema, provider, './out'))
    const { stdout } = await run(process.execPath, ['node_modules/prisma/build/index.js', 'validate', '--schema', file], { env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' } })
    assert.match(stdout, 'is valid', `${doc} on ${provider}`)
  }))
})

test.run()
