import { contractSuite } from '../contract-suite.js'
import sequelize from './index.js'

const WILDCARDS = "Sequelize's Op.substring/startsWith/endsWith do not escape LIKE wildcards or backslashes (see baseline.*.json)"

await contractSuite(sequelize, {
  deviations: (target) => ({
    "case rules and literal wildcards, whatever the database's collation": WILDCARDS,
    ...(target.name === 'mariadb'
      ? { 'strings order by code point': "MariaDB's case-insensitive collation orders 'apple' before 'Zebra'" }
      : {})
  })
})
