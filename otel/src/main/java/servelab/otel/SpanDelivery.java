package servelab.otel;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * Counts what becomes of a tracer's spans: ended, and delivered (an export that succeeded). The batch processor
 * drops spans when its queue is full and an export fails when the collector is down or slow, both without a word;
 * so the difference is said at the end of a session ({@link RequestTracer#close()}), and the first failed export when
 * it happens ({@code onFailure}, once).
 */
final class SpanDelivery {
    private final LongAdder ended = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final AtomicBoolean failedOnce = new AtomicBoolean();
    private final Consumer<String> onFailure;

    SpanDelivery(Consumer<String> onFailure) {
        this.onFailure = onFailure;
    }

    long ended() {
        return ended.sum();
    }

    long delivered() {
        return delivered.sum();
    }

    /** A processor that only counts the spans that end (added beside the batch processor). */
    SpanProcessor counter() {
        return new SpanProcessor() {
            @Override public void onStart(Context parentContext, ReadWriteSpan span) {}
            @Override public boolean isStartRequired() { return false; }
            @Override public void onEnd(ReadableSpan span) { ended.increment(); }
            @Override public boolean isEndRequired() { return true; }
        };
    }

    /** {@code exporter}, its successful exports counted and its first failure said. */
    SpanExporter counting(SpanExporter exporter) {
        return new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                int n = spans.size();
                var result = exporter.export(spans);
                result.whenComplete(() -> {
                    if (result.isSuccess()) {
                        delivered.add(n);
                    } else if (failedOnce.compareAndSet(false, true)) {
                        var cause = result.getFailureThrowable();
                        onFailure.accept(cause == null ? "the export failed" : cause.toString());
                    }
                });
                return result;
            }

            @Override
            public CompletableResultCode flush() {
                return exporter.flush();
            }

            @Override
            public CompletableResultCode shutdown() {
                return exporter.shutdown();
            }
        };
    }
}
