// Runs CSAF 2.0 documents through the BSI CSAF validator (@secvisogram/csaf-validator-lib): the strict JSON schema and every
// mandatory test (section 6.1 of the standard). Many documents in one run, because starting node and the library costs seconds.
// Usage: node validate.mjs FILE...   Prints one JSON array: [{ file, isValid, errors: [{ test, instancePath, message }] }].
import { readFileSync } from 'node:fs'
import validateStrict from '@secvisogram/csaf-validator-lib/validateStrict.js'
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js'
import { csaf_2_0_strict } from '@secvisogram/csaf-validator-lib/schemaTests.js'

const tests = [csaf_2_0_strict, ...Object.values(mandatory)]
const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('usage: node validate.mjs FILE...')
  process.exit(64)
}
const results = []
for (const file of files) {
  const result = await validateStrict(tests, JSON.parse(readFileSync(file, 'utf8')))
  const errors = result.tests.flatMap((t) => t.errors.map((e) => ({ test: t.name, instancePath: e.instancePath, message: e.message })))
  results.push({ file, isValid: result.isValid, tests: result.tests.length, errors })
}
process.stdout.write(JSON.stringify(results) + '\n')
