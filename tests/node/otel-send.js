#!/usr/bin/env node
// otel-send.js: the live client of tests/bats/tempo-recv.bats.  Sends N
// spans through the real OpenTelemetry JS SDK (BasicTracerProvider with a
// BatchSpanProcessor) and one of its exporters to a receiver, then flushes.
//
//   node otel-send.js proto|json|zipkin URL N PREFIX [TENANT]
//
// proto uses @opentelemetry/exporter-trace-otlp-proto, json
// @opentelemetry/exporter-trace-otlp-http, zipkin @opentelemetry/exporter-zipkin.
// Spans are named PREFIX-0 .. PREFIX-(N-1), in traces of up to 10 spans
// (the first of each trace its root), service "otel-send".  Each span's
// "name trace_id span_id" goes to stdout, so the caller can check what
// arrived.  Exit status 0 when every export succeeded, 1 otherwise.
'use strict';

const path = require('path');
const nm = path.join(__dirname, 'node_modules');
const api = require(path.join(nm, '@opentelemetry/api'));
const { BasicTracerProvider, BatchSpanProcessor } =
	require(path.join(nm, '@opentelemetry/sdk-trace-base'));
const { resourceFromAttributes } = require(path.join(nm, '@opentelemetry/resources'));

const [kind, url, nArg, prefix, tenant] = process.argv.slice(2);
const n = Number(nArg);
if (!['proto', 'json', 'zipkin'].includes(kind) || !url || !(n > 0) || !prefix) {
	process.stderr.write('usage: otel-send.js proto|json|zipkin URL N PREFIX [TENANT]\n');
	process.exit(2);
}

const headers = tenant ? { 'X-Scope-OrgID': tenant } : {};
let exporter;
if (kind === 'proto') {
	const { OTLPTraceExporter } = require(path.join(nm, '@opentelemetry/exporter-trace-otlp-proto'));
	exporter = new OTLPTraceExporter({ url, headers });
} else if (kind === 'json') {
	const { OTLPTraceExporter } = require(path.join(nm, '@opentelemetry/exporter-trace-otlp-http'));
	exporter = new OTLPTraceExporter({ url, headers });
} else {
	const { ZipkinExporter } = require(path.join(nm, '@opentelemetry/exporter-zipkin'));
	exporter = new ZipkinExporter({ url, headers });
}

// Count failed exports: the processor only logs them.
const failures = [];
const exportOrig = exporter.export.bind(exporter);
exporter.export = (spans, done) => exportOrig(spans, (res) => {
	if (res.code !== 0)
		failures.push(String(res.error && res.error.message || res.error || 'export failed'));
	done(res);
});

const provider = new BasicTracerProvider({
	resource: resourceFromAttributes({ 'service.name': 'otel-send' }),
	spanProcessors: [new BatchSpanProcessor(exporter, {
		maxExportBatchSize: 50, scheduledDelayMillis: 100, maxQueueSize: 100000,
	})],
});
const tracer = provider.getTracer('otel-send', '1.0.0');

async function main() {
	let root = null;
	for (let i = 0; i < n; i++) {
		const ctx = i % 10 === 0 || root === null ? api.ROOT_CONTEXT :
			api.trace.setSpan(api.ROOT_CONTEXT, root);
		const span = tracer.startSpan(`${prefix}-${i}`, {
			kind: api.SpanKind.INTERNAL,
			attributes: { 'otel_send.index': i, 'otel_send.kind': kind },
		}, ctx);
		const sc = span.spanContext();
		process.stdout.write(`${prefix}-${i} ${sc.traceId} ${sc.spanId}\n`);
		if (i % 10 === 0) {
			if (root !== null)
				root.end();
			root = span;
		} else {
			span.end();
		}
	}
	if (root !== null)
		root.end();
	await provider.forceFlush();
	await provider.shutdown();
	if (failures.length > 0) {
		process.stderr.write(`otel-send: ${failures.length} export(s) failed: ${failures[0]}\n`);
		process.exit(1);
	}
}

main().catch((e) => {
	process.stderr.write(`otel-send: ${e && e.stack || e}\n`);
	process.exit(1);
});
