package servelab.otel;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * Writes spans as OTLP-JSON lines: each export is one {@code ExportTraceServiceRequest} in the protobuf JSON mapping
 * OTLP specifies (trace and span ids as hex, times and 64-bit integers as decimal strings, enums as numbers), one
 * line per batch, appended and flushed so a killed server keeps every exported batch.
 */
final class OtlpJsonFileExporter implements SpanExporter {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path file;
    private final BufferedWriter out;

    private OtlpJsonFileExporter(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    static OtlpJsonFileExporter open(Path file) {
        try {
            return new OtlpJsonFileExporter(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + " for request spans", e);
        }
    }

    @Override
    public synchronized CompletableResultCode export(Collection<SpanData> spans) {
        try {
            out.write(MAPPER.writeValueAsString(request(spans)));
            out.write('\n');
            out.flush();
            return CompletableResultCode.ofSuccess();
        } catch (IOException e) {
            return CompletableResultCode.ofExceptionalFailure(e);
        }
    }

    static ObjectNode request(Collection<SpanData> spans) {
        var root = MAPPER.createObjectNode();
        ArrayNode resourceSpans = root.putArray("resourceSpans");
        Map<Resource, List<SpanData>> byResource = spans.stream()
                .collect(Collectors.groupingBy(SpanData::getResource, LinkedHashMap::new, Collectors.toList()));
        byResource.forEach((resource, ofResource) -> {
            var rs = resourceSpans.addObject();
            attributes(rs.putObject("resource"), resource.getAttributes());
            var byScope = ofResource.stream().collect(Collectors.groupingBy(
                    s -> s.getInstrumentationScopeInfo().getName(), LinkedHashMap::new, Collectors.toList()));
            var scopeSpans = rs.putArray("scopeSpans");
            byScope.forEach((scope, ofScope) -> {
                var ss = scopeSpans.addObject();
                ss.putObject("scope").put("name", scope);
                var list = ss.putArray("spans");
                for (var span : ofScope) span(list.addObject(), span);
            });
        });
        return root;
    }

    private static void span(ObjectNode o, SpanData s) {
        o.put("traceId", s.getTraceId()).put("spanId", s.getSpanId());
        // OTLP's W3C trace state (a client's tracestate continues here) and flags (the sampled bit)
        var state = s.getSpanContext().getTraceState();
        if (!state.isEmpty()) {
            var text = new StringBuilder();
            state.forEach((k, v) -> text.append(text.isEmpty() ? "" : ",").append(k).append('=').append(v));
            o.put("traceState", text.toString());
        }
        o.put("flags", s.getSpanContext().getTraceFlags().asByte() & 0xff);
        if (s.getParentSpanContext().isValid()) o.put("parentSpanId", s.getParentSpanId());
        o.put("name", s.getName());
        o.put("kind", s.getKind().ordinal() + 1); // OTLP: 1 internal, 2 server, 3 client, 4 producer, 5 consumer
        o.put("startTimeUnixNano", Long.toString(s.getStartEpochNanos()));
        o.put("endTimeUnixNano", Long.toString(s.getEndEpochNanos()));
        attributes(o, s.getAttributes());
        var status = o.putObject("status");
        if (s.getStatus().getStatusCode() != StatusCode.UNSET) {
            status.put("code", s.getStatus().getStatusCode() == StatusCode.OK ? 1 : 2);
            if (!s.getStatus().getDescription().isEmpty()) status.put("message", s.getStatus().getDescription());
        }
    }

    private static void attributes(ObjectNode o, Attributes attributes) {
        var list = o.putArray("attributes");
        attributes.forEach((key, value) -> {
            var a = list.addObject().put("key", key.getKey());
            value(a.putObject("value"), value);
        });
    }

    /** An OTLP {@code AnyValue}: a list (an array attribute, such as finish reasons) as {@code arrayValue}. */
    private static void value(ObjectNode v, Object value) {
        switch (value) {
            case String str -> v.put("stringValue", str);
            case Boolean b -> v.put("boolValue", b);
            case Long l -> v.put("intValue", Long.toString(l));
            case Double d -> v.put("doubleValue", d);
            case java.util.List<?> items -> {
                var values = v.putObject("arrayValue").putArray("values");
                for (var item : items) value(values.addObject(), item);
            }
            default -> v.put("stringValue", String.valueOf(value));
        }
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public synchronized CompletableResultCode shutdown() {
        try {
            out.close();
            return CompletableResultCode.ofSuccess();
        } catch (IOException e) {
            return CompletableResultCode.ofExceptionalFailure(new IOException("cannot close " + file, e));
        }
    }
}
