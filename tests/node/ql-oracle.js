#!/usr/bin/env node
// ql-oracle.js: the independent side of the TraceQL semantic tests
// (tests/bats/traceql-semantics.bats).  It never runs our engine: it reads
// the same OTLP/JSON the store was packed from, exports every span as one
// JSON line, loads the lines into DuckDB and answers each test's SQL; the
// other side reads what tempo-ql printed.  Both sides print the same
// canonical text, which the test compares with diff.
//
//   node ql-oracle.js export OUT.jsonl FILE...   OTLP/JSON (one TracesData a
//         line) -> one span a line: trace_id, span_id, parent_id, name, kind,
//         status, status_message, start_ns, end_ns, service, scope_name,
//         scope_version, doc (document order), attrs, events, links
//   node ql-oracle.js load DB SPANS.jsonl        builds the DuckDB database
//   node ql-oracle.js expect DB [OPTS] SQL       the expected spansets
//   node ql-oracle.js got [OPTS] RESULT.jsonl    tempo-ql -f jsonl's spansets
//   node ql-oracle.js check DB [--empty] [OPTS] SQL WHERE=RESULT.jsonl...
//         compares each result with the oracle (WHERE = records: the union
//         per trace) and prints what is missing and extra; exit status 1
//         on a difference, or when the oracle finds nothing (with --empty:
//         something)
//   node ql-oracle.js expect-meta DB | got-meta RESULT.jsonl
//         per trace: root service and name, start, durationMs, serviceStats
//   node ql-oracle.js serve DB PORTFILE [PID]
//         answers the commands above in one process, so a suite starts node
//         and opens DuckDB once instead of once per case: listens on a free
//         port of 127.0.0.1 and writes it to PORTFILE; each connection sends
//         "N\0OUT\0ERR\0COMMAND\0ARG\0..." (N fields, each ended by a
//         NUL), the server writes the command's stdout to OUT, its stderr to
//         ERR and answers with its exit status and a newline.  DB is opened
//         read-only; it exits on SIGTERM or once process PID is gone.
//
// OPTS: --union (one line per trace: the union of its spansets, for streams
// cut into records), --agg KEY (show the spanset attribute KEY, e.g.
// "count()"; the SQL returns it as column agg, in nanoseconds for
// durations), --attrs K1,K2 (show these span attributes; the SQL returns
// columns a1, a2, ... per span, NULL when absent).
//
// The SQL returns trace_id, span_id and, when one trace has several
// spansets (by()), grp: the group's value, shown as by=VALUE.  SQL that
// starts with WHERE is short for SELECT trace_id, span_id FROM spans WHERE.
//
// Tables (one row per span, sid = global document order):
//   spans(sid, trace_id, span_id, parent_id, name, kind, status,
//         status_message, start_ns, end_ns, dur_ns, service, scope_name,
//         scope_version)     kind and status as TraceQL words
//   av(sid, sc, k, t, s, i, d, b, n, ev)  attribute values, one row per
//         value (array elements one row each); sc = span | resource |
//         instrumentation | event | link; t = string | int | double | bool;
//         n = the number for int and double; ev = event or link index
//   un    av's rows as the unscoped .x sees them: the span's own, else
//         its resource's
//   events(sid, ev, name, since_ns), links(sid, ln, link_trace_id, link_span_id)
//   par(sid, psid): psid is the parent of sid, when the parent is in the trace
//   anc(sid, asid): asid is an ancestor of sid (recursive over par)
//   traces(trace_id, start_ns, end_ns, dur_ns, root_service, root_name)
// Macros: attr(sc, k) and uattr(k) are table macros over av and un.
"use strict";
const fs = require("fs");
const path = require("path");

const KIND = ["unspecified", "internal", "server", "client", "producer", "consumer"];
const STATUS = ["unset", "ok", "error"];

// Usage is the error of a wrong command line: exit status 2.
class Usage extends Error {}

function die(msg) {
	throw new Usage(msg);
}

// Output collects what one command prints; the command line writes it to
// stdout and stderr, the server to the files the client names.
class Output {
	constructor() {
		this.out = [];
		this.err = [];
	}

	log(s) {
		this.out.push(`${s}\n`);
	}

	write(s) {
		this.out.push(s);
	}

	error(s) {
		this.err.push(`${s}\n`);
	}
}

// ---- export ----

// values turns an OTLP AnyValue into typed rows; arrays give one row per
// element; key-value lists, bytes and mixed arrays give none (Tempo cannot
// match them).
function values(v) {
	if (v == null)
		return [];
	if ("stringValue" in v)
		return [{ t: "string", s: v.stringValue }];
	if ("intValue" in v)
		return [{ t: "int", i: String(v.intValue) }];
	if ("doubleValue" in v)
		return [{ t: "double", d: Number(v.doubleValue) }];
	if ("boolValue" in v)
		return [{ t: "bool", b: v.boolValue }];
	if ("arrayValue" in v) {
		const el = ((v.arrayValue || {}).values || []).map(values);
		const types = new Set(el.map((e) => (e.length === 1 && !e[0].arr ? e[0].t : "bad")));
		if (types.size !== 1 || types.has("bad"))
			return [];
		return el.map((e) => ({ ...e[0], arr: true }));
	}
	return [];
}

function attrRows(sc, kvs, ev) {
	const rows = [];
	for (const kv of kvs || [])
		for (const v of values(kv.value))
			rows.push({ sc, k: kv.key, t: v.t, arr: !!v.arr, s: v.s ?? null,
				i: v.i ?? null, d: v.d ?? null, b: v.b ?? null, ev: ev ?? null });
	return rows;
}

function exportSpans(out, files) {
	const lines = [];
	let doc = 0;
	for (const f of files)
		for (const line of fs.readFileSync(f, "utf8").split("\n")) {
			if (line.trim() === "")
				continue;
			const td = JSON.parse(line);
			for (const rs of td.resourceSpans || []) {
				const res = (rs.resource || {}).attributes || [];
				const svcAttr = res.find((kv) => kv.key === "service.name");
				const service = svcAttr ? svcAttr.value.stringValue : "";
				for (const ss of rs.scopeSpans || []) {
					const scope = ss.scope || {};
					for (const sp of ss.spans || []) {
						const start = BigInt(sp.startTimeUnixNano || 0);
						const attrs = [...attrRows("span", sp.attributes),
							...attrRows("resource", res),
							...attrRows("instrumentation", scope.attributes)];
						(sp.events || []).forEach((e, n) => attrs.push(...attrRows("event", e.attributes, n)));
						(sp.links || []).forEach((l, n) => attrs.push(...attrRows("link", l.attributes, n)));
						const st = sp.status || {};
						lines.push(JSON.stringify({
							trace_id: sp.traceId.toLowerCase(),
							span_id: sp.spanId.toLowerCase(),
							parent_id: sp.parentSpanId ? sp.parentSpanId.toLowerCase() : null,
							name: sp.name || "",
							kind: KIND[sp.kind || 0],
							status: STATUS[st.code || 0],
							status_message: st.message || "",
							start_ns: String(start),
							end_ns: String(BigInt(sp.endTimeUnixNano || 0)),
							service,
							scope_name: scope.name || "",
							scope_version: scope.version || "",
							doc: doc++,
							attrs,
							events: (sp.events || []).map((e) => ({ name: e.name || "",
								since_ns: String(BigInt(e.timeUnixNano || 0) - start) })),
							links: (sp.links || []).map((l) => ({ trace_id: (l.traceId || "").toLowerCase(),
								span_id: (l.spanId || "").toLowerCase() })),
						}));
					}
				}
			}
		}
	fs.writeFileSync(out, lines.join("\n") + "\n");
}

// ---- DuckDB ----

function duckdb() {
	return require(path.join(__dirname, "node_modules/@duckdb/node-api"));
}

// connections holds the read-only connection to each database asked for,
// opened once per process.
const connections = new Map();

function connect(db) {
	if (!connections.has(db))
		connections.set(db, duckdb().DuckDBInstance.create(db, { access_mode: "READ_ONLY" })
			.then((inst) => inst.connect()));
	return connections.get(db);
}

const SCHEMA = (jsonl) => `
CREATE TABLE raw AS SELECT * FROM read_json('${jsonl}', format = 'newline_delimited',
  columns = {trace_id: 'VARCHAR', span_id: 'VARCHAR', parent_id: 'VARCHAR', name: 'VARCHAR',
    kind: 'VARCHAR', status: 'VARCHAR', status_message: 'VARCHAR', start_ns: 'BIGINT',
    end_ns: 'BIGINT', service: 'VARCHAR', scope_name: 'VARCHAR', scope_version: 'VARCHAR',
    doc: 'INTEGER',
    attrs: 'STRUCT(sc VARCHAR, k VARCHAR, t VARCHAR, arr BOOLEAN, s VARCHAR, i BIGINT, d DOUBLE, b BOOLEAN, ev INTEGER)[]',
    events: 'STRUCT(name VARCHAR, since_ns BIGINT)[]',
    links: 'STRUCT(trace_id VARCHAR, span_id VARCHAR)[]'});
CREATE TABLE spans AS SELECT doc AS sid, trace_id, span_id, parent_id, name, kind, status,
  status_message, start_ns, end_ns, end_ns - start_ns AS dur_ns, service, scope_name, scope_version
  FROM raw;
CREATE TABLE av AS SELECT doc AS sid, a.sc, a.k, a.t, a.arr, a.s, a.i, a.d, a.b,
  COALESCE(a.i::DOUBLE, a.d) AS n, a.ev
  FROM (SELECT doc, unnest(attrs) AS a FROM raw);
CREATE VIEW un AS SELECT * FROM av WHERE sc = 'span' UNION ALL
  SELECT * FROM av r WHERE r.sc = 'resource' AND NOT EXISTS
    (SELECT 1 FROM av x WHERE x.sid = r.sid AND x.sc = 'span' AND x.k = r.k);
CREATE TABLE events AS SELECT doc AS sid, generate_subscripts(events, 1) - 1 AS ev,
  unnest(events).name AS name, unnest(events).since_ns AS since_ns FROM raw;
CREATE TABLE links AS SELECT doc AS sid, generate_subscripts(links, 1) - 1 AS ln,
  unnest(links).trace_id AS link_trace_id, unnest(links).span_id AS link_span_id FROM raw;
CREATE TABLE par AS SELECT c.sid, p.sid AS psid FROM spans c JOIN spans p
  ON p.trace_id = c.trace_id AND p.span_id = c.parent_id AND p.sid <> c.sid;
CREATE TABLE anc AS WITH RECURSIVE a(sid, asid) AS (
  SELECT sid, psid FROM par
  UNION SELECT a.sid, par.psid FROM a JOIN par ON par.sid = a.asid)
  SELECT * FROM a;
CREATE TABLE traces AS SELECT t.trace_id, t.start_ns, t.end_ns, t.end_ns - t.start_ns AS dur_ns,
  r.service AS root_service, r.name AS root_name
  FROM (SELECT trace_id, min(start_ns) AS start_ns, max(end_ns) AS end_ns FROM spans GROUP BY trace_id) t
  LEFT JOIN (SELECT trace_id, arg_min(service, sid) AS service, arg_min(name, sid) AS name
    FROM spans WHERE parent_id IS NULL GROUP BY trace_id) r ON r.trace_id = t.trace_id;
CREATE MACRO attr(sc_, k_) AS TABLE SELECT * FROM av WHERE sc = sc_ AND k = k_;
CREATE MACRO uattr(k_) AS TABLE SELECT * FROM un WHERE k = k_;
`;

async function load(db, jsonl) {
	if (fs.existsSync(db))
		fs.unlinkSync(db);
	const inst = await duckdb().DuckDBInstance.create(db);
	const c = await inst.connect();
	await c.run(SCHEMA(jsonl.replace(/'/g, "''")));
	c.closeSync();
	inst.closeSync();
}

// ---- canonical text ----

// fmt prints a value the same way whichever side it came from: integers
// as digits, doubles with a fraction or exponent, so 1 and 1.0 differ.
function fmt(v) {
	if (v === null || v === undefined)
		return "nil";
	if (typeof v === "bigint")
		return v.toString();
	if (typeof v === "number")
		return Number.isInteger(v) && Math.abs(v) < 1e21 ? `${v}.0` : String(v);
	return String(v);
}

// anyValue turns an OTLP/JSON AnyValue from tempo-ql's output into what fmt takes.
function anyValue(v) {
	if (v == null)
		return null;
	if ("stringValue" in v)
		return v.stringValue;
	if ("intValue" in v)
		return BigInt(v.intValue);
	if ("doubleValue" in v)
		return Number(v.doubleValue);
	if ("boolValue" in v)
		return v.boolValue;
	return JSON.stringify(v);
}

// Go duration strings ("1.5s", "2m3.1s", "150µs") in nanoseconds.
function goDuration(s) {
	const units = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
	const re = /([0-9.]+)(ns|us|µs|μs|ms|s|m|h)/gy;
	let neg = false, total = 0, m;
	if (s.startsWith("-")) {
		neg = true;
		s = s.slice(1);
	}
	if (s === "0s")
		return 0;
	re.lastIndex = 0;
	let at = 0;
	while ((m = re.exec(s)) !== null) {
		total += Number(m[1]) * units[m[2]];
		at = re.lastIndex;
	}
	if (at !== s.length)
		return NaN;
	return neg ? -total : total;
}

// aggNumber is an aggregate as a number: durations in nanoseconds.
function aggNumber(v) {
	if (typeof v === "string")
		return /^-?[0-9.]/.test(v) ? goDuration(v) : NaN;
	return Number(v);
}

function aggText(v) {
	if (v === null || v === undefined)
		return "nil";
	const n = aggNumber(v);
	return Number.isNaN(n) ? `?${v}` : Number(n.toPrecision(9)).toString();
}

// line is one spanset: "TRACE [by=V] [AGG=V] n=N SPAN[{k=v,...}] ...".
function line(o, opts) {
	const parts = [o.trace];
	if (o.grp !== undefined)
		parts.push(`by=${fmt(o.grp)}`);
	if (opts.agg)
		parts.push(`${opts.agg}=${aggText(o.agg)}`);
	if (!opts.union)
		parts.push(`n=${o.n}`);
	const spans = o.spans.map((s) => (opts.attrs ?
		`${s.id}{${opts.attrs.map((k, i) => `${k}=${fmt(s.a[i])}`).join(",")}}` : s.id));
	spans.sort();
	parts.push(...spans);
	return parts.join(" ");
}

// canon gives the sorted canonical lines of spansets.
function canon(sets, opts) {
	if (opts.union) {
		const byTrace = new Map();
		for (const o of sets) {
			const t = byTrace.get(o.trace) || new Map();
			for (const s of o.spans)
				t.set(s.id, s);
			byTrace.set(o.trace, t);
		}
		sets = [...byTrace].map(([trace, m]) => ({ trace, spans: [...m.values()] }));
	}
	return sets.map((o) => line(o, opts)).sort();
}

function print(io, lines) {
	if (lines.length > 0)
		io.write(lines.join("\n") + "\n");
}

function parseOpts(args) {
	const opts = { union: false, agg: null, attrs: null };
	while (args.length > 0 && args[0].startsWith("--")) {
		const o = args.shift();
		if (o === "--union")
			opts.union = true;
		else if (o === "--agg")
			opts.agg = args.shift();
		else if (o === "--attrs")
			opts.attrs = args.shift().split(",");
		else
			die(`unknown option ${o}`);
	}
	return opts;
}

// expected gives the oracle's spansets for sql.
async function expected(db, opts, sql) {
	const c = await connect(db);
	if (/^\s*WHERE\b/i.test(sql))
		sql = `SELECT trace_id, span_id FROM spans ${sql}`;
	const r = await c.runAndReadAll(sql);
	const names = r.columnNames();
	const col = (n) => names.indexOf(n);
	const [ti, si, gi, ai] = [col("trace_id"), col("span_id"), col("grp"), col("agg")];
	if (ti < 0 || si < 0)
		die("the SQL must return trace_id and span_id");
	if (opts.agg && ai < 0)
		die("--agg needs a column agg");
	const sets = new Map();
	for (const row of r.getRows()) {
		const key = gi < 0 ? row[ti] : `${row[ti]}\u0000${fmt(row[gi])}`;
		let o = sets.get(key);
		if (!o) {
			o = { trace: row[ti], spans: [], agg: ai < 0 ? undefined : row[ai] };
			if (gi >= 0)
				o.grp = row[gi];
			sets.set(key, o);
		}
		o.spans.push({ id: row[si], a: (opts.attrs || []).map((_, i) => row[col(`a${i + 1}`)]) });
	}
	for (const o of sets.values())
		o.n = o.spans.length;
	return [...sets.values()];
}

function readResults(file) {
	const res = [];
	for (const l of fs.readFileSync(file, "utf8").split("\n"))
		if (l.trim() !== "")
			res.push(JSON.parse(l));
	return res;
}

// found gives the spansets of tempo-ql's -f jsonl output in file.
function found(file) {
	const sets = [];
	for (const t of readResults(file))
		for (const ss of t.spanSets || []) {
			const attrs = new Map((ss.attributes || []).map((kv) => [kv.key, anyValue(kv.value)]));
			const o = { trace: t.traceID, n: ss.matched, spans: [] };
			for (const [k, v] of attrs)
				if (k.startsWith("by("))
					o.grp = v;
			o.attrs = attrs;
			for (const sp of ss.spans || [])
				o.spans.push({ id: sp.spanID,
					attrs: new Map((sp.attributes || []).map((kv) => [kv.key, anyValue(kv.value)])) });
			sets.push(o);
		}
	return sets;
}

// shown picks the spanset and span attributes opts asks for.
function shown(sets, opts) {
	for (const o of sets) {
		if (opts.agg)
			o.agg = o.attrs.has(opts.agg) ? o.attrs.get(opts.agg) : null;
		for (const s of o.spans)
			s.a = (opts.attrs || []).map((k) => (s.attrs.has(k) ? s.attrs.get(k) : null));
	}
	return sets;
}

// compare reports the spansets of want missing from got and the extra
// ones, the first few of each; it returns whether they are equal.
function compare(io, where, want, got) {
	const w = new Set(want), g = new Set(got);
	const missing = want.filter((l) => !g.has(l)), extra = got.filter((l) => !w.has(l));
	if (missing.length === 0 && extra.length === 0 && want.length === got.length)
		return true;
	io.log(`${where}: ${missing.length} expected spansets not found, ${extra.length} found that were not expected` +
		(want.length !== got.length ? ` (${want.length} expected, ${got.length} found)` : "") + ":");
	for (const l of missing.slice(0, 8))
		io.log(`  - ${l.slice(0, 300)}`);
	for (const l of extra.slice(0, 8))
		io.log(`  + ${l.slice(0, 300)}`);
	return false;
}

// check compares each WHERE=FILE result with the oracle: store and stream
// spanset by spanset, records (a stream cut into records) as the union of
// each trace's spans.  --empty: the oracle must find nothing, else
// something.
async function check(io, db, opts, empty, sql, results) {
	const sets = await expected(db, opts, sql);
	if (empty !== (sets.length === 0)) {
		io.log(empty ? "the oracle found spans, the test says none" :
			"the oracle found nothing: a weak test");
		return false;
	}
	let ok = true;
	for (const r of results) {
		const eq = r.indexOf("=");
		const where = r.slice(0, eq), file = r.slice(eq + 1);
		const o = where === "records" ? { union: true } : opts;
		ok = compare(io, where, canon(sets, o), canon(shown(found(file), o), o)) && ok;
	}
	return ok;
}

// ---- trace metadata ----

function metaLine(m) {
	return `${m.trace} root=${JSON.stringify(m.root)} name=${JSON.stringify(m.name)} start=${m.start} ` +
		`durationMs=${m.durationMs} stats=${m.stats}`;
}

async function expectMeta(io, db) {
	const c = await connect(db);
	const r = await c.runAndReadAll(`
	  SELECT t.trace_id, COALESCE(t.root_service, '<root span not yet received>'),
	    COALESCE(t.root_name, ''), t.start_ns::VARCHAR, t.dur_ns // 1000000,
	    (SELECT string_agg(service || ':' || n || ':' || e, ',' ORDER BY service)
	       FROM (SELECT service, count(*) AS n, count(*) FILTER (WHERE status = 'error') AS e
	             FROM spans s WHERE s.trace_id = t.trace_id GROUP BY service))
	  FROM traces t`);
	const out = r.getRows().map(([trace, root, name, start, dur, stats]) =>
		metaLine({ trace, root, name, start, durationMs: String(dur), stats }));
	out.sort();
	io.write(out.join("\n") + "\n");
}

function gotMeta(io, file) {
	const out = readResults(file).map((t) => metaLine({
		trace: t.traceID, root: t.rootServiceName ?? "", name: t.rootTraceName ?? "",
		start: t.startTimeUnixNano, durationMs: String(t.durationMs ?? 0),
		stats: Object.keys(t.serviceStats || {}).sort().map((s) =>
			`${s}:${t.serviceStats[s].spanCount ?? 0}:${t.serviceStats[s].errorCount ?? 0}`).join(","),
	}));
	out.sort();
	io.write(out.join("\n") + "\n");
}

// run runs one command (args: its name and arguments), printing into io;
// it returns the exit status.
async function run(io, args) {
	const cmd = args.shift();
	try {
		switch (cmd) {
		case "export":
			if (args.length < 2)
				die("usage: export OUT.jsonl FILE...");
			exportSpans(args[0], args.slice(1));
			break;
		case "load":
			if (args.length !== 2)
				die("usage: load DB SPANS.jsonl");
			await load(args[0], args[1]);
			break;
		case "expect": {
			const db = args.shift();
			const opts = parseOpts(args);
			if (args.length !== 1)
				die("usage: expect DB [OPTS] SQL");
			print(io, canon(await expected(db, opts, args[0]), opts));
			break;
		}
		case "got": {
			const opts = parseOpts(args);
			if (args.length !== 1)
				die("usage: got [OPTS] RESULT.jsonl");
			print(io, canon(shown(found(args[0]), opts), opts));
			break;
		}
		case "check": {
			const db = args.shift();
			let empty = false;
			if (args[0] === "--empty") {
				empty = true;
				args.shift();
			}
			const opts = parseOpts(args);
			if (args.length < 2)
				die("usage: check DB [--empty] [OPTS] SQL WHERE=RESULT.jsonl...");
			if (!await check(io, db, opts, empty, args[0], args.slice(1)))
				return 1;
			break;
		}
		case "expect-meta":
			await expectMeta(io, args[0]);
			break;
		case "got-meta":
			gotMeta(io, args[0]);
			break;
		default:
			die("usage: ql-oracle.js export|load|expect|got|expect-meta|got-meta|serve ...");
		}
	} catch (e) {
		io.error(`ql-oracle.js: ${e.message}`);
		return e instanceof Usage ? 2 : 1;
	}
	return 0;
}

// serve answers requests (see the top of the file) one at a time until
// SIGTERM or until process pid ends.
function serve(db, portFile, pid) {
	const net = require("net");
	let queue = Promise.resolve();
	const server = net.createServer((sock) => {
		let buf = Buffer.alloc(0);
		let done = false;
		sock.on("data", (d) => {
			buf = Buffer.concat([buf, d]);
			const fields = [];
			for (let at = 0, nul; (nul = buf.indexOf(0, at)) >= 0; at = nul + 1)
				fields.push(buf.toString("utf8", at, nul));
			if (done || fields.length === 0 || fields.length < 1 + Number(fields[0]))
				return;
			done = true;
			const [, outFile, errFile, ...args] = fields;
			queue = queue.then(async () => {
				const io = new Output();
				let st = await run(io, args);
				try {
					fs.writeFileSync(outFile, io.out.join(""));
					fs.writeFileSync(errFile, io.err.join(""));
				} catch (e) {
					console.error(`ql-oracle.js: ${e.message}`);
					st = 2;
				}
				sock.end(`${st}\n`);
			});
		});
		sock.on("error", () => sock.destroy());
	});
	server.listen(0, "127.0.0.1", () => {
		fs.writeFileSync(`${portFile}.tmp`, `${server.address().port}\n`);
		fs.renameSync(`${portFile}.tmp`, portFile);
	});
	// Open the database now: the first request should not wait for it.
	connect(db).catch((e) => {
		console.error(`ql-oracle.js: ${db}: ${e.message}`);
		process.exit(1);
	});
	if (pid)
		setInterval(() => {
			try {
				process.kill(pid, 0);
			} catch {
				process.exit(0);
			}
		}, 1000);
}

(async () => {
	const args = process.argv.slice(2);
	if (args[0] === "serve") {
		if (args.length < 3 || args.length > 4)
			die("usage: serve DB PORTFILE [PID]");
		serve(args[1], args[2], args[3] ? Number(args[3]) : 0);
		return;
	}
	const io = new Output();
	const st = await run(io, args);
	process.stdout.write(io.out.join(""));
	process.stderr.write(io.err.join(""));
	process.exitCode = st;
})().catch((e) => {
	console.error(`ql-oracle.js: ${e.message}`);
	process.exit(e instanceof Usage ? 2 : 1);
});
