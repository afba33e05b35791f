import { contractSuite } from '../contract-suite.js'
import prisma from './index.js'

await contractSuite(prisma)
