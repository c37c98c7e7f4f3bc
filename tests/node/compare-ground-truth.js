#!/usr/bin/env node
// compare-ground-truth.js: compares the spans tq-flatten printed with the
// real-client fixtures' ground-truth.jsonl, matching spans by span_id, and
// reports every field that differs, one line each:
//
//   node compare-ground-truth.js [--zipkin] TRUTH.jsonl ACTUAL.jsonl
//
// By default every key of every ground-truth span must be equal (objects
// compared key by key, whatever their order).  With --zipkin only what the
// Zipkin exporter carries is compared (see the fixture README): IDs, name,
// service, kind (INTERNAL is sent as no kind, which the receiver maps to
// SPAN_KIND_UNSPECIFIED), status code and message, times to the
// microsecond, event names and times, and attributes as the strings the
// exporter makes of them; resource attributes outside the resource
// semantic conventions stay on the span as tags; links, scopes, event
// attributes, trace state and parent_is_remote are not sent.
// Exit status 0 when nothing differs, 1 otherwise, 2 on usage errors.
'use strict';
const fs = require('fs');

function load(path) {
	const spans = new Map();
	for (const line of fs.readFileSync(path, 'utf8').split('\n')) {
		if (line.trim() === '')
			continue;
		const s = JSON.parse(line);
		if (spans.has(s.span_id))
			throw new Error(`${path}: span ${s.span_id} twice`);
		spans.set(s.span_id, s);
	}
	return spans;
}

function equal(a, b) {
	if (a === b)
		return true;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null ||
	    b === null || Array.isArray(a) !== Array.isArray(b))
		return false;
	if (Array.isArray(a))
		return a.length === b.length && a.every((x, i) => equal(x, b[i]));
	const ka = Object.keys(a), kb = Object.keys(b);
	return ka.length === kb.length && ka.every((k) => k in b && equal(a[k], b[k]));
}

// zipkinString is what the JS Zipkin exporter sends for an attribute value.
function zipkinString(v) {
	return Array.isArray(v) ? v.map(String).join(',') : String(v);
}

// The resource attributes the receiver moves back to the resource.
const resourcePrefixes = ['aws.ecs.', 'aws.eks.', 'aws.log.', 'browser.',
	'cloud.', 'container.', 'deployment.', 'device.', 'faas.',
	'gcp.cloud_run.', 'gcp.gce.', 'heroku.', 'host.', 'k8s.', 'opencensus.', 'os.',
	'process.', 'service.', 'telemetry.', 'webengine.'];
const isResourceKey = (k) => resourcePrefixes.some((p) => k.startsWith(p));

function near(want, got, slack) {
	const d = BigInt(want) - BigInt(got);
	return (d < 0n ? -d : d) < BigInt(slack);
}

function compareFull(want, got, diff) {
	for (const k of Object.keys(want)) {
		if (k === 'attributes' || k === 'resource' || k === 'attribute_types') {
			for (const a of new Set([...Object.keys(want[k]), ...Object.keys(got[k] || {})]))
				if (!equal(want[k][a], (got[k] || {})[a]))
					diff(`${k}.${a}`, want[k][a], (got[k] || {})[a]);
		} else if (!equal(want[k], got[k]))
			diff(k, want[k], got[k]);
	}
	for (const k of Object.keys(got))
		if (!(k in want))
			diff(k, undefined, got[k]);
}

function compareZipkin(want, got, diff) {
	for (const k of ['trace_id', 'span_id', 'parent_span_id', 'name',
		'service', 'status_code', 'status_message', 'batch'])
		if (!equal(want[k], got[k]))
			diff(k, want[k], got[k]);
	const kind = want.kind === 'SPAN_KIND_INTERNAL' ? 'SPAN_KIND_UNSPECIFIED' : want.kind;
	if (got.kind !== kind)
		diff('kind', kind, got.kind);
	// The exporter rounds the start to a tenth of a microsecond at best
	// and the duration to a microsecond.
	if (!near(want.start_unix_nano, got.start_unix_nano, 1000))
		diff('start_unix_nano', want.start_unix_nano, got.start_unix_nano);
	if (!near(want.end_unix_nano, got.end_unix_nano, 2000))
		diff('end_unix_nano', want.end_unix_nano, got.end_unix_nano);
	if (!near(want.duration_nano, got.duration_nano, 1000))
		diff('duration_nano', want.duration_nano, got.duration_nano);
	const attrs = { ...got.attributes };
	for (const [k, v] of Object.entries(want.attributes)) {
		if (attrs[k] !== zipkinString(v))
			diff(`attributes.${k}`, zipkinString(v), attrs[k]);
		delete attrs[k];
	}
	for (const [k, v] of Object.entries(want.resource)) {
		if (isResourceKey(k)) {
			if (got.resource[k] !== zipkinString(v))
				diff(`resource.${k}`, zipkinString(v), got.resource[k]);
		} else {
			if (attrs[k] !== zipkinString(v))
				diff(`attributes.${k} (resource tag)`, zipkinString(v), attrs[k]);
			delete attrs[k];
		}
	}
	for (const k of Object.keys(got.resource))
		if (!(k in want.resource))
			diff(`resource.${k}`, undefined, got.resource[k]);
	for (const [k, v] of Object.entries(attrs))
		diff(`attributes.${k}`, undefined, v);
	if (want.events.length !== got.events.length)
		diff('events.length', want.events.length, got.events.length);
	want.events.forEach((e, i) => {
		const g = got.events[i] || {};
		if (e.name !== g.name)
			diff(`events[${i}].name`, e.name, g.name);
		if (g.time_unix_nano === undefined ||
		    !near(e.time_unix_nano, g.time_unix_nano, 1000))
			diff(`events[${i}].time_unix_nano`, e.time_unix_nano, g.time_unix_nano);
	});
}

function main(argv) {
	const zipkin = argv[0] === '--zipkin';
	const args = zipkin ? argv.slice(1) : argv;
	if (args.length !== 2) {
		console.error('usage: compare-ground-truth.js [--zipkin] TRUTH ACTUAL');
		return 2;
	}
	const truth = load(args[0]), actual = load(args[1]);
	let ndiff = 0;
	for (const [id, want] of truth) {
		const got = actual.get(id);
		const diff = (field, w, g) => {
			ndiff++;
			console.log(`span ${id}: ${field}: want ${JSON.stringify(w)}, got ${JSON.stringify(g)}`);
		};
		if (got === undefined) {
			ndiff++;
			console.log(`span ${id}: missing`);
			continue;
		}
		(zipkin ? compareZipkin : compareFull)(want, got, diff);
	}
	for (const id of actual.keys())
		if (!truth.has(id)) {
			ndiff++;
			console.log(`span ${id}: not in the ground truth`);
		}
	console.log(`${truth.size} spans compared, ${ndiff} differences`);
	return ndiff === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
