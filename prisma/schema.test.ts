import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
// @ts-expect-error: a plain .mjs script without types
import { PROVIDERS, render } from './generate.mjs'

test('each provider schema is the template rendered for it', () => {
  for (const provider of PROVIDERS as string[]) {
    assert.is(readFileSync(`prisma/${provider}/schema.prisma`, 'utf8'), (render as (p: string) => string)(provider), provider)
  }
})

test('every provider has its migration with the implicit m-n join table', () => {
  for (const provider of PROVIDERS as string[]) {
    const sql = readFileSync(`prisma/migrations/${provider}/0001_init/migration.sql`, 'utf8')
    for (const part of ['_ArticleToPublication', '_ArticleToPublication_B_index', 'ON DELETE CASCADE']) assert.ok(sql.includes(part), `${provider}: ${part}`)
  }
})

test.run()
