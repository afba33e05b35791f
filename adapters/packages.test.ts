import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { needPackages } from './packages.js'

test('a missing stack is one line naming what to install', () => {
  needPackages('the kit', ['uvu', 'remark-parse'])
  try {
    needPackages('the X adapter', ['uvu', 'no-such-package-ormconf', '@no/such'])
    assert.unreachable()
  } catch (e) {
    assert.is(
      (e as Error).message,
      'the X adapter needs packages that are not installed: npm install --save-dev no-such-package-ormconf @no/such'
    )
  }
})

test.run()
