package servelab.datasets.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.datasets.ReadOptions;
import servelab.datasets.TraceRequest;
import servelab.datasets.TraceStats;
import servelab.datasets.TraceWriter;
import servelab.datasets.synthetic.Arrivals;
import servelab.datasets.synthetic.Lengths;
import servelab.datasets.synthetic.SyntheticTrace;

class TracePipelineTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    /** Ten requests, one per second: ids 0..9 at 0..9 s, input = 100 + id. */
    private static final List<TraceRequest> TEN = LongStream.range(0, 10)
            .mapToObj(i -> TraceRequest.of(i, i * SECOND, 100 + (int) i, 1)).toList();

    private static List<Long> arrivals(List<TraceRequest> requests) {
        return requests.stream().map(TraceRequest::arrivalNanos).toList();
    }

    private static List<Long> ids(List<TraceRequest> requests) {
        return requests.stream().map(TraceRequest::id).toList();
    }

    @Test
    void timeScaleMultipliesEveryArrival() throws IOException {
        var scaled = TracePipeline.of(TEN).timeScale(0.5).first(3).toList();
        assertEquals(List.of(0L, SECOND / 2, SECOND), arrivals(scaled));
    }

    @Test
    void targetRateRescalesToTheRequestedMeanRate() throws IOException {
        // given: 10 requests over 9 s (10/9 req/s); then: 5 req/s means a span of 10 / 5 = 2 s
        var fast = TracePipeline.of(TEN).targetRate(5).toList();
        assertEquals(2 * SECOND, fast.getLast().arrivalNanos());
        assertEquals(5.0, TraceStats.of(fast).rateRps(), 1e-9);
    }

    @Test
    void windowKeepsItsRequestsShiftedToStartAtZeroAndRenumberGivesIdsFromZero() throws IOException {
        var window = TracePipeline.of(TEN).window(2, 5).toList();
        // then: arrivals 2, 3, 4 s kept (5 s is outside [2, 5)), shifted by 2 s; ids still point into the source
        assertEquals(List.of(0L, SECOND, 2 * SECOND), arrivals(window));
        assertEquals(List.of(2L, 3L, 4L), ids(window));
        assertEquals(List.of(0L, 1L, 2L), ids(TracePipeline.of(TEN).window(2, 5).renumber().toList()));
    }

    @Test
    void windowThenTargetRateMeasuresTheWindowNotTheWholeTrace() throws IOException {
        // the window [0, 3) holds 3 requests over 2 s; at 3 req/s they must span 1 s
        var requests = TracePipeline.of(TEN).window(0, 3).targetRate(3).toList();
        assertEquals(List.of(0L, SECOND / 2, SECOND), arrivals(requests));
    }

    @Test
    void firstNKeepsThePrefix() throws IOException {
        assertEquals(List.of(0L, 1L, 2L, 3L), ids(TracePipeline.of(TEN).first(4).toList()));
    }

    @Test
    void aWindowStopsReadingAtItsEnd() throws IOException {
        var pulled = new AtomicLong();
        var big = SyntheticTrace.of(new Arrivals.Poisson(1000), new Lengths.Fixed(1), new Lengths.Fixed(1), 1_000_000, 3);
        var source = (TraceSource) () -> big.stream().peek(r -> pulled.incrementAndGet());
        var window = TracePipeline.of(source).window(0, 1).toList();
        // then: about 1,000 requests in the first second, and the generator was asked for one more, not a million
        assertEquals(window.size() + 1, pulled.get());
    }

    @Test
    void fileSourcesAreClosedAndReadTwiceForTargetRate() throws IOException {
        var file = dir.resolve("trace.jsonl");
        TraceWriter.writeMooncakeJsonl(file, TEN);
        var closed = new ArrayList<Boolean>();
        TraceSource source = () -> {
            closed.add(false);
            int index = closed.size() - 1;
            return TraceSource.of(file, ReadOptions.DEFAULT).open().onClose(() -> closed.set(index, true));
        };
        // 10 requests at 2 req/s span 5 s; the first pass measured the file, the second replayed it
        var requests = TracePipeline.of(source).targetRate(2).toList();
        assertEquals(5 * SECOND, requests.getLast().arrivalNanos());
        assertEquals(List.of(true, true), closed);
    }

    @Test
    void theSamePipelineGivesTheSameRequests() throws IOException {
        var trace = SyntheticTrace.of(new Arrivals.Gamma(20, 2), new Lengths.Uniform(1, 50), new Lengths.Fixed(3), 5_000, 9);
        var pipeline = TracePipeline.of(TraceSource.of(trace)).window(10, 100).targetRate(4).renumber();
        var first = pipeline.toList();
        var again = pipeline.toList(); // the pipeline re-reads its source and must give the same requests
        assertEquals(first, again);
        assertTrue(first.size() > 1_000);
    }

    @Test
    void aScaleThatPutsArrivalsPastTheClocksRangeIsRefusedNotRoundedToTheLastNanosecond() {
        // rounded to Long.MAX_VALUE, 19 of 20 requests were never replayed and the run said nothing
        var e = assertThrows(IllegalArgumentException.class, () -> TracePipeline.of(TEN).timeScale(1e300).toList());
        assertEquals("time_scale 1.0E300: request 1 would arrive 1.0E300 s after the trace's start, past the run "
                + "clock's range (9.2e9 s)", e.getMessage());
        var slow = assertThrows(IllegalArgumentException.class, () -> TracePipeline.of(TEN).targetRate(1e-300).toList());
        assertTrue(slow.getMessage().startsWith("target_rate 1.0E-300: request 1 would arrive "), slow.getMessage());
    }

    @Test
    void targetRateNeedsTwoDistinctArrivals() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> TracePipeline.of(TEN.subList(0, 1)).targetRate(3).toList());
        assertEquals("target_rate needs at least two requests at different times to measure the trace's rate, got 1 request(s) "
                + "spanning 0 ns", e.getMessage());
    }

    @Test
    void invalidStepsNameTheFieldTheValueAndWhatIsAllowed() {
        assertEquals("TimeWindow.endSeconds must be > startSeconds (5.0), was 5.0",
                assertThrows(IllegalArgumentException.class, () -> new TraceTransform.TimeWindow(5, 5)).getMessage());
        assertEquals("TimeScale.factor must be finite and > 0, was -1.0",
                assertThrows(IllegalArgumentException.class, () -> new TraceTransform.TimeScale(-1)).getMessage());
    }
}
