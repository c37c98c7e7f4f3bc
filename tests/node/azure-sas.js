// azure-sas.js: prints an account SAS token (blob service, all resource
// types, read/write/delete/list/add/create, one hour, http allowed) for
// Azurite's well-known development account, signed with Node's crypto.
const crypto = require('crypto')

const account = 'devstoreaccount1'
const key = Buffer.from(
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
  'base64')
const sv = '2019-12-12'
const sp = process.argv[2] || 'rwdlac'
const se = new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z')
const sts = [account, sp, 'b', 'sco', '', se, '', 'https,http', sv, ''].join('\n')
const sig = crypto.createHmac('sha256', key).update(sts, 'utf8').digest('base64')
const q = new URLSearchParams({ sv, ss: 'b', srt: 'sco', sp, se, spr: 'https,http', sig })
console.log(q.toString())
