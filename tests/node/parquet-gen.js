#!/usr/bin/env node
// parquet-gen.js: seeded test data for tests/bats/parquet.bats.
//
//   node parquet-gen.js ROWS MODE CODEC PAGE_VERSION SPEC_OUT EXPECTED_OUT [OPTS_JSON]
//
// Writes a pq-tool description (a nested, trace-like schema with every
// type we write: lists of structs of lists, a map, optional fields, a
// legacy repeated field) and, separately, the rows in the canonical JSON
// that pq-tool dump and parquet-duckdb.js read print.  MODE picks the
// column encodings: dict (dictionary with PLAIN fallback), plain, delta
// (DELTA_BINARY_PACKED and DELTA_LENGTH_BYTE_ARRAY) or mixed.
'use strict';
const fs = require('fs');

const [rows, mode, codec, pv, specOut, expOut, extra] = process.argv.slice(2);
let seed = 12345;
function rnd(n) {
  // mulberry32
  seed = (seed + 0x6D2B79F5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) % n;
}
function pick(a) { return a[rnd(a.length)]; }
function hex(n) { let s = ''; for (let i = 0; i < n; i++) s += rnd(256).toString(16).padStart(2, '0'); return s; }

const words = ['GET /api', 'POST /cart', 'db.query', 'redis', 'ünïcødé ✓', 'tab\there', 'quote"d', 'back\\slash', '', 'x'.repeat(300), 'nl\nline', '\u0001ctl'];

function enc(kind) {
  // Per-column encoding settings for MODE.
  if (mode === 'plain') return { dict: false };
  if (mode === 'delta') return kind === 'int' ? { encoding: 'DELTA_BINARY_PACKED' } : kind === 'str' ? { encoding: 'DELTA_LENGTH_BYTE_ARRAY' } : { dict: false };
  if (mode === 'mixed') return kind === 'int' ? { encoding: 'DELTA_BINARY_PACKED' } : kind === 'bool' ? { encoding: 'RLE' } : {};
  return {};
}
function leaf(name, type, kind, more) { return Object.assign({ name, type }, enc(kind), more || {}); }
function list(name, elem, rep) { return { name, logical: 'LIST', rep: rep || 'required', fields: [{ name: 'list', rep: 'repeated', fields: [Object.assign({ name: 'element' }, elem)] }] }; }

const schema = { fields: [
  leaf('id', 'INT64', 'int'),
  leaf('trace_id', 'FIXED_LEN_BYTE_ARRAY', 'fixed', { length: 16 }),
  leaf('start', 'INT64', 'int', { logical: 'TS_NANOS' }),
  leaf('start_us', 'INT64', 'int', { logical: 'TSZ_MICROS', rep: 'optional' }),
  leaf('name', 'BYTE_ARRAY', 'str', { logical: 'STRING' }),
  leaf('svc', 'BYTE_ARRAY', 'str', { logical: 'STRING', rep: 'optional' }),
  leaf('dur', 'INT64', 'int', { logical: 'UINT64' }),
  leaf('small', 'INT32', 'int', { logical: 'INT16' }),
  leaf('u32', 'INT32', 'int', { logical: 'UINT32' }),
  leaf('i32', 'INT32', 'int'),
  leaf('f', 'FLOAT', 'float'),
  leaf('ratio', 'DOUBLE', 'float', { rep: 'optional' }),
  leaf('blob', 'BYTE_ARRAY', 'str'),
  leaf('ok', 'BOOLEAN', 'bool'),
  list('rs', { fields: [
    leaf('svc', 'BYTE_ARRAY', 'str', { logical: 'STRING' }),
    list('attrs', { fields: [
      leaf('key', 'BYTE_ARRAY', 'str', { logical: 'STRING' }),
      leaf('value', 'BYTE_ARRAY', 'str', { logical: 'STRING', rep: 'optional' }),
      list('ints', Object.assign({ type: 'INT64', rep: 'optional' }, enc('int'))),
      leaf('dbl', 'DOUBLE', 'float', { rep: 'optional' }),
      leaf('b', 'BOOLEAN', 'bool'),
    ] }),
    list('spans', { fields: [
      leaf('sid', 'FIXED_LEN_BYTE_ARRAY', 'fixed', { length: 8 }),
      leaf('name', 'BYTE_ARRAY', 'str', { logical: 'STRING' }),
      leaf('kind', 'INT64', 'int'),
      leaf('start', 'INT64', 'int'),
      list('events', { rep: 'optional', fields: [
        leaf('t', 'INT64', 'int'),
        leaf('name', 'BYTE_ARRAY', 'str', { logical: 'STRING', rep: 'optional' }),
      ] }, 'optional'),
    ] }),
  ] }),
  { name: 'm', logical: 'MAP', rep: 'optional', fields: [{ name: 'key_value', rep: 'repeated', fields: [
    leaf('key', 'BYTE_ARRAY', 'str', { logical: 'STRING' }),
    leaf('value', 'INT64', 'int', { rep: 'optional' }),
  ] }] },
  leaf('nums', 'INT32', 'int', { rep: 'repeated' }),
] };

// Values are kept as [json-for-pq-tool, canonical-text] pairs.
const big = ['9223372036854775807', '-9223372036854775808', '0', '1', '-1', '4294967296'];
function int64() { const k = rnd(10); if (k === 0) { const b = pick(big); return [b, b]; } const v = rnd(2000000) - 1000000; return [v, String(v)]; }
function str() { const s = pick(words) + (rnd(4) === 0 ? String(rnd(100000)) : ''); return [s, JSON.stringify(s)]; }
function dbl() { const k = rnd(12); const v = k === 0 ? NaN : k === 1 ? Infinity : k === 2 ? -1e300 : k === 3 ? 5e-324 : (rnd(2000000) - 1000000) / 7; return Number.isNaN(v) ? ['NaN', '"NaN"'] : !Number.isFinite(v) ? ['Infinity', '"Infinity"'] : [v, String(v)]; }
function opt(gen) { if (rnd(5) === 0) return [null, 'null']; return gen(); }
function arr(n, gen) { const a = []; for (let i = 0; i < n; i++) a.push(gen()); return [a.map((x) => x[0]), '[' + a.map((x) => x[1]).join(',') + ']']; }
function obj(fields) { const o = {}; const t = []; for (const [k, v] of fields) { o[k] = v[0]; t.push(JSON.stringify(k) + ':' + v[1]); } return [o, '{' + t.join(',') + '}']; }

const out = [];
const expect = [];
let ts = 1700000000000000000n;
for (let r = 0; r < Number(rows); r++) {
  ts += BigInt(rnd(1000000));
  const tid = hex(16);
  const f = Math.fround((rnd(100000) - 50000) / 8);
  const u32 = rnd(3) === 0 ? 4294967295 : rnd(100000);
  const row = obj([
    ['id', [r, String(r)]],
    ['trace_id', [tid, JSON.stringify(tid)]],
    ['start', [ts.toString(), ts.toString()]],
    ['start_us', opt(() => { const v = (ts / 1000n).toString(); return [v, v]; })],
    ['name', str()],
    ['svc', opt(() => { const s = 'svc-' + rnd(5); return [s, JSON.stringify(s)]; })],
    ['dur', rnd(7) === 0 ? ['18446744073709551615', '18446744073709551615'] : int64().map((x) => x)],
    ['small', (() => { const v = rnd(65536) - 32768; return [v, String(v)]; })()],
    ['u32', [u32, String(u32)]],
    ['i32', (() => { const v = rnd(3) === 0 ? -2147483648 : rnd(2000) - 1000; return [v, String(v)]; })()],
    ['f', [f, String(f)]],
    ['ratio', opt(dbl)],
    ['blob', (() => { const h = hex(rnd(20)); return [h, JSON.stringify(h)]; })()],
    ['ok', rnd(2) ? [true, 'true'] : [false, 'false']],
    ['rs', arr(rnd(3), () => obj([
      ['svc', str()],
      ['attrs', arr(rnd(4), () => obj([
        ['key', str()],
        ['value', opt(str)],
        ['ints', arr(rnd(3), () => opt(int64))],
        ['dbl', opt(dbl)],
        ['b', rnd(2) ? [true, 'true'] : [false, 'false']],
      ]))],
      ['spans', arr(rnd(4), () => obj([
        ['sid', (() => { const h = hex(8); return [h, JSON.stringify(h)]; })()],
        ['name', str()],
        ['kind', (() => { const v = rnd(6); return [v, String(v)]; })()],
        ['start', [ts.toString(), ts.toString()]],
        ['events', rnd(3) === 0 ? [null, 'null'] : arr(rnd(3), () => obj([
          ['t', int64()],
          ['name', opt(str)],
        ]))],
      ]))],
    ]))],
    ['m', rnd(4) === 0 ? [null, 'null'] : arr(rnd(3), () => obj([['key', str()], ['value', opt(int64)]]))],
    ['nums', arr(rnd(4), () => { const v = rnd(100) - 50; return [v, String(v)]; })],
  ]);
  out.push(row[0]);
  expect.push(row[1]);
}

// dur is UINT64: show negative int64 draws as their unsigned value.
const fixed = expect.map((line, i) => {
  const d = out[i].dur;
  if (typeof d === 'number' && d < 0) return line.replace('"dur":' + d + ',', '"dur":' + (BigInt.asUintN(64, BigInt(d))).toString() + ',');
  if (typeof d === 'string' && d.startsWith('-')) return line.replace('"dur":' + d + ',', '"dur":' + (BigInt.asUintN(64, BigInt(d))).toString() + ',');
  return line;
});

const options = Object.assign({ codec, page_version: Number(pv) }, extra ? JSON.parse(extra) : {});
fs.writeFileSync(specOut, JSON.stringify({ schema, options, rows: out }));
fs.writeFileSync(expOut, fixed.join('\n') + '\n');
