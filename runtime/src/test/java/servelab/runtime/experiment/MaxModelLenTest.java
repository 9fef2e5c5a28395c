package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.TestBundles;
import servelab.runtime.report.RunResults;

/**
 * The profile's max_model_len (Llama-3-8B: 8,192 tokens) as vLLM applies it: a longer request is refused with its
 * reason in its row, or with {@code context.overflow: truncate} keeps its prompt's last tokens.
 */
class MaxModelLenTest {
    /** Prompts of 7,000 to 9,000 tokens and 400 output tokens: some fit in 8,192 and some do not. */
    private static final List<String> LONG = List.of("seed=3", "kv.blocks=4000", "trace.synthetic.count=40",
            "trace.synthetic.arrivals.rate=4", "trace.synthetic.input.dist=uniform", "trace.synthetic.input.min=7000",
            "trace.synthetic.input.max=9000", "trace.synthetic.output.dist=fixed", "trace.synthetic.output.value=400");

    @TempDir Path work;

    @Test
    void aRequestOverTheProfilesMaxModelLenIsRefusedWithItsReason() throws Exception {
        var results = run(LONG, "refuse");
        var inputs = results.requests().longs("input_tokens");
        var errors = results.requests().strings("error");
        int refused = 0;
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] + 400 > 8192) {
                refused++;
                assertEquals("request has " + (inputs[i] + 400) + " tokens (prompt " + inputs[i] + " + output 400); the "
                        + "model runs at most 8192 (max_model_len)", errors.get(i));
            } else {
                assertEquals("", errors.get(i), "request " + i + " of " + inputs[i] + " prompt tokens fits");
            }
        }
        assertTrue(refused > 5 && refused < 35, refused + " of 40 refused");
        var context = results.runInfo().get("context");
        assertEquals("{max_model_len=8192, overflow=refuse, truncated_requests=0}", context.toString());
    }

    @Test
    void withTruncateTheLongPromptsKeepWhatFits() throws Exception {
        var asked = inputsById(run(LONG, "refuse"));
        var overrides = new ArrayList<>(LONG);
        overrides.add("context.overflow=truncate");
        var results = run(overrides, "truncate");
        var got = inputsById(results);
        long cut = 0;
        for (var entry : asked.entrySet()) {
            boolean over = entry.getValue() + 400 > 8192;
            if (over) cut++;
            assertEquals(over ? 8192 - 400 : entry.getValue(), got.get(entry.getKey()), "request " + entry.getKey());
        }
        assertTrue(cut > 5, cut + " cut");
        assertTrue(results.requests().strings("error").stream().allMatch(String::isEmpty));
        assertEquals(cut, ((Number) ((java.util.Map<?, ?>) results.runInfo().get("context")).get("truncated_requests"))
                .longValue());
    }

    @Test
    void aRequestWhoseCopiesRanOnSeveralReplicasIsCountedOnceAsTruncated() throws Exception {
        // given: two replicas and a hedge 1 ms after every send, so most long prompts are cut on both replicas
        var overrides = new ArrayList<>(LONG);
        overrides.addAll(List.of("context.overflow=truncate", "replicas=2", "plugins.hedge.name=hedge",
                "plugins.hedge.params.delay_ms=1"));
        var plugins = TestBundles.resiliencePlugins(TestBundles.defaultPlugins(work.resolve("plugins")));
        var dir = work.resolve("hedged");
        ExperimentRunner.run(ExperimentFile.load(null, overrides), dir,
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> { }, null, null));
        var results = RunResults.load(dir);
        // then: truncated_requests counts requests, not copies (it counted each copy: a hedged request twice)
        long over = inputsById(run(LONG, "refuse")).values().stream().filter(v -> v + 400 > 8192).count();
        var hedges = results.requests().longs("hedges");
        assertTrue(java.util.Arrays.stream(hedges).sum() > 5, "hedged copies: " + java.util.Arrays.toString(hedges));
        assertEquals(over, ((Number) ((java.util.Map<?, ?>) results.runInfo().get("context")).get("truncated_requests"))
                .longValue());
    }

    @Test
    void rowsOfBillionsOfTokensAreRefusedNotAnOutOfMemoryErrorOrAnOverflow() throws Exception {
        // given: a trace with one row of 2e9 output tokens (it ran out of heap) and one whose prompt and output add up
        // past Integer.MAX_VALUE (the sum overflowed, slipped past the check and stalled the batcher)
        var csv = work.resolve("huge.csv");
        java.nio.file.Files.writeString(csv, "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                + "2023-11-16 18:15:46.0000000,100,10\n2023-11-16 18:15:46.5000000,100,2000000000\n"
                + "2023-11-16 18:15:47.0000000,2147483647,10\n2023-11-16 18:15:48.0000000,50,5\n");
        var results = run(List.of("trace.file=" + csv, "trace.format=azure-csv"), "huge");
        // then: both refused with their lengths, the other two served
        var errors = results.requests().strings("error");
        var ids = results.requests().longs("request_id");
        var byId = new java.util.TreeMap<Long, String>();
        for (int i = 0; i < ids.length; i++) byId.put(ids[i], errors.get(i));
        assertEquals("", byId.get(0L));
        assertEquals("request has 2000000100 tokens (prompt 100 + output 2000000000); the model runs at most 8192 "
                + "(max_model_len)", byId.get(1L));
        assertEquals("request has 2147483657 tokens (prompt 2147483647 + output 10); the model runs at most 8192 "
                + "(max_model_len)", byId.get(2L));
        assertEquals("", byId.get(3L));
    }

    @Test
    void aSmallerMaxModelLenMayBeAskedForButNotALargerOne() throws Exception {
        var smaller = new ArrayList<>(LONG);
        smaller.add("context.max_model_len=7500");
        var errors = run(smaller, "smaller").requests().strings("error");
        assertTrue(errors.stream().filter(e -> !e.isEmpty()).allMatch(e -> e.endsWith("at most 7500 (max_model_len)")));
        var larger = new ArrayList<>(LONG);
        larger.add("context.max_model_len=20000");
        var e = assertThrows(IllegalArgumentException.class, () -> run(larger, "larger"));
        assertTrue(e.getMessage().startsWith("context.max_model_len 20000 is more than the model takes: 8192"),
                e.getMessage());
        var bad = new ArrayList<>(LONG);
        bad.add("context.overflow=cut");
        var badKey = assertThrows(Exception.class, () -> run(bad, "bad"));
        assertTrue(String.valueOf(badKey.getMessage()).contains("context.overflow 'cut' is unknown; accepted: refuse, "
                + "truncate"), badKey.getMessage());
    }

    private static java.util.Map<Long, Long> inputsById(RunResults results) {
        var ids = results.requests().longs("request_id");
        var inputs = results.requests().longs("input_tokens");
        var map = new java.util.TreeMap<Long, Long>();
        for (int i = 0; i < ids.length; i++) map.put(ids[i], inputs[i]);
        assertEquals(40, map.size());
        return map;
    }

    private RunResults run(List<String> overrides, String name) throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var exp = ExperimentFile.load(null, overrides);
        var dir = work.resolve(name);
        ExperimentRunner.run(exp, dir, new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> { }, null, null));
        return RunResults.load(dir);
    }

}
