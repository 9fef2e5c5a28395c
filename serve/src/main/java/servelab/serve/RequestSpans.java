package servelab.serve;

import java.util.Map;

import servelab.otel.RequestTracer;
import servelab.runtime.engine.Replica;
import servelab.runtime.record.RequestRow;

/**
 * How a served request's spans start and end, in OpenTelemetry's terms: what it asked
 * ({@code gen_ai.operation.name}, {@code gen_ai.request.max_tokens}) and how it ended
 * ({@code gen_ai.response.finish_reasons}, or {@code error.type} with the row's error as the status).
 */
final class RequestSpans {
    private RequestSpans() {}

    /** The class of a row's error, as {@code error.type}; null for none. */
    static String errorType(String error) {
        if (error.isEmpty()) return null;
        if (error.startsWith(RequestRow.REJECTED_PREFIX)) return "rejected";
        if (error.startsWith(Replica.CANCELLED)) return "cancelled";
        return error.startsWith("internal error") ? "internal_error" : "failed";
    }

    /** Request {@code id} was taken in: its spans open at {@code at} (epoch nanoseconds). */
    static void received(RequestTracer tracer, long id, LiveEngine.Ask ask, int maxTokens, String model,
                         Map<String, String> plugins, long at) {
        tracer.received(id, ask.traceContext(), model, plugins, at);
        tracer.asked(id, ask.operation(), maxTokens);
    }

    /** Request {@code id} ends at arrival, refused with {@code why}; spans the intake opened before it failed end too. */
    static void refused(RequestTracer tracer, long id, LiveEngine.Ask ask, int maxTokens, int inputTokens, String model,
                        Map<String, String> plugins, String why, long at) {
        // a second pair of spans for one id left the first open, never exported
        if (!tracer.isOpen(id)) received(tracer, id, ask, maxTokens, model, plugins, at);
        tracer.ending(id, null, errorType(why));
        tracer.finished(id, inputTokens, 0, why, at);
    }

    /** A request's row: its spans end at {@code end}; {@code stopped}: a stop condition ended the answer. */
    static void ended(RequestTracer tracer, RequestRow row, boolean stopped, long end) {
        tracer.ending(row.requestId(), row.error().isEmpty() ? (stopped ? "stop" : "length") : null,
                errorType(row.error()));
        tracer.finished(row.requestId(), row.inputTokens(), row.outputTokens(), row.error(), end);
    }
}
