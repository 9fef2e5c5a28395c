package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.HostListener;
import servelab.runtime.host.PluginException;
import servelab.runtime.host.TestBundles;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.RunResults;

class ExperimentRunnerTest {
    private static final List<String> SMALL = List.of("seed=7", "profile=llama-3-8b/h100-80gb", "kv.blocks=600",
            "trace.synthetic.count=300", "trace.synthetic.arrivals.rate=30");

    @TempDir Path work;

    private ExperimentRunner.Result run(List<String> overrides, String folder, ExperimentRunner.Options options)
            throws Exception {
        return ExperimentRunner.run(ExperimentFile.load(null, overrides), work.resolve(folder), options);
    }

    private ExperimentRunner.Options options(Path plugins) {
        return new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null);
    }

    @Test
    void theSameExperimentAndSeedGiveByteIdenticalResults() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var a = run(SMALL, "a", options(plugins));
        var b = run(SMALL, "b", options(plugins));
        for (var table : List.of("requests.arrow", "iterations.arrow", "events.arrow")) {
            assertArrayEquals(Files.readAllBytes(a.runDir().resolve(table)), Files.readAllBytes(b.runDir().resolve(table)),
                    table + " differs between two runs of the same experiment");
        }
        // and a different seed gives a different workload
        var c = run(List.of("seed=8", "profile=llama-3-8b/h100-80gb", "kv.blocks=600", "trace.synthetic.count=300",
                "trace.synthetic.arrivals.rate=30"), "c", options(plugins));
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(a.runDir().resolve("requests.arrow")),
                Files.readAllBytes(c.runDir().resolve("requests.arrow"))));
    }

    @Test
    void anArrivalPastWhatTheRunClockTakesIsRefusedNotWrapped() throws Exception {
        // 8.5e12 ms after the first, with a gateway timeout of 1e12 ms: the sum wrapped past 2^63 ns and the run
        // stopped with "time went backwards"
        var trace = Files.writeString(work.resolve("late.jsonl"), "{\"timestamp\": 0, \"input_length\": 10, "
                + "\"output_length\": 2}\n{\"timestamp\": 8500000000000, \"input_length\": 10, \"output_length\": 2}\n");
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> run(List.of(
                "trace.file=" + trace, "gateway.timeout_ms=1e12"), "late", options(plugins)));
        assertTrue(e.getMessage().startsWith("request 1 arrives 8.5E9 s after the trace's first; a run takes arrivals up "
                + "to 1e9 s"), e.getMessage());
    }

    @Test
    @org.junit.jupiter.api.Timeout(60) // without the guard it writes 10^8 rows: stopped rather than filling a disk
    void anIdleGapIsRefusedByTheRowsItWouldWriteForEveryReplica() throws Exception {
        // the guard counted ticks, not rows: 1,000 replicas and an 11-day gap would have written 10^10 rows
        var trace = Files.writeString(work.resolve("gap.jsonl"), "{\"timestamp\": 0, \"input_length\": 10, "
                + "\"output_length\": 2}\n{\"timestamp\": 50400000, \"input_length\": 10, \"output_length\": 2}\n");
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> run(List.of(
                "trace.file=" + trace, "replicas=200", "kv.blocks=64"), "gap", options(plugins)));
        assertTrue(e.getMessage().contains("and each tick writes 201 rows: give record.cluster_interval_ms a value that "
                + "spans such gaps in fewer than 497512 ticks"), e.getMessage());
    }

    @Test
    void withoutChunkedPrefillAPromptOverTheStepBudgetIsSplitAndCompletes() throws Exception {
        // given: prompts of 200-1,500 tokens, a 1,024-token step budget without chunked prefill (first the prompts
        // over the budget stalled the engine and the run was aborted; then each failed as "never scheduled", though
        // orca and vllm-prefill-first split such a prompt; the engine's refusal of a request no step takes is
        // theRequestRefusedAsNeverScheduledIsTheOneThatCannotFitNotTheSchedulersFirst's)
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var result = run(List.of("seed=3", "trace.synthetic.count=40", "trace.synthetic.input.dist=uniform",
                "trace.synthetic.input.min=200", "trace.synthetic.input.max=1500",
                "plugins.batcher.params.max_num_batched_tokens=1024", "plugins.batcher.params.chunked_prefill=false"),
                "nochunk", options(plugins));
        // then: every request completed, within the budget
        var results = servelab.runtime.report.RunResults.load(result.runDir());
        var rows = results.requests();
        long[] input = rows.longs("input_tokens");
        var errors = rows.strings("error");
        assertEquals(40, rows.rowCount());
        int over = 0;
        for (int i = 0; i < input.length; i++) {
            if (input[i] > 1024) over++;
            assertEquals("", errors.get(i));
        }
        assertTrue(over > 0, "some prompts were over the budget");
        var iterations = results.table(servelab.runtime.record.ResultTable.ITERATIONS).orElseThrow();
        long[] prefill = iterations.longs("prefill_tokens"), decode = iterations.longs("decode_tokens");
        for (int i = 0; i < prefill.length; i++) assertTrue(prefill[i] + decode[i] <= 1024, "iteration " + i);
    }

    @Test
    void theRequestRefusedAsNeverScheduledIsTheOneThatCannotFitNotTheSchedulersFirst() throws Exception {
        // given: a swapped-out request that needs more blocks than the watermark leaves (about 82 of 80), and a
        // 16-token prompt that sjf puts first; while a swapped request waits, prefill-first admits no new prompt
        var trace = Files.writeString(work.resolve("t.csv"), "arrived_at,num_prefill_tokens,num_decode_tokens\n"
                + "0.000,16,300\n0.001,1000,400\n1.850,16,10\n");
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        TestBundles.drop(plugins, "prefill-first.jar",
                TestBundles.bundleOf(servelab.plugins.batching.prefillfirst.PrefillFirstBatcher.class));
        var result = run(List.of("seed=1", "trace.file=" + trace, "kv.block_size=16", "kv.blocks=100",
                "kv.host_blocks=200", "plugins.scheduler.name=sjf", "plugins.scheduler.params.key=prompt",
                "plugins.batcher.name=vllm-prefill-first", "plugins.batcher.params.preempt_mode=swap",
                "plugins.kv-allocator.params.watermark=0.2"), "stuck", options(plugins));
        // then: only the request that cannot fit fails (the 16-token one failed first, refused in its place)
        var rows = servelab.runtime.report.RunResults.load(result.runDir()).requests();
        var errors = rows.strings("error");
        long[] ids = rows.longs("request_id");
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == 1) assertTrue(errors.get(i).startsWith("never scheduled"), errors.get(i));
            else assertEquals("", errors.get(i), "request " + ids[i]);
        }
    }

    @Test
    void aRequestOverTheAdmissionHeadroomButWithinThePoolRuns() throws Exception {
        // given: 100 blocks of 16, 1% kept free at admission; 1,500 + 100 tokens need all 100 blocks as they decode
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var result = run(List.of("trace.synthetic.count=3", "trace.synthetic.arrivals.rate=0.01",
                "trace.synthetic.input={dist: fixed, value: 1500}", "trace.synthetic.output={dist: fixed, value: 100}",
                "kv.blocks=100"), "headroom", options(plugins));
        // then: served, as before a check at arrival counted the headroom (admission keeps it free for the prompt
        // only; decode grows past it)
        var errors = servelab.runtime.report.RunResults.load(result.runDir()).requests().strings("error");
        assertEquals(List.of("", "", ""), errors);
    }

    @Test
    void ngramInASimulatedRunIsSaidToProposeNothing() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var console = new java.util.ArrayList<String>();
        run(List.of("trace.synthetic.count=10", "plugins.speculator.name=ngram"), "ngram",
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> console.add(t + " " + k + ": " + d), null, null));
        // its results equal a run without speculation: the console now says why
        assertTrue(console.stream().anyMatch(l -> l.startsWith("info speculator: ngram drafts by looking up the prompt's "
                + "token ids, which a simulated run does not have")), console.toString());
    }

    @Test
    void sharedPromptsWithoutAPrefixCacheAreSaidToBeReusedNowhere() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var console = new java.util.ArrayList<String>();
        var shared = List.of("trace.synthetic.count=10", "trace.transforms.shared_prefix.prompts=2",
                "trace.transforms.shared_prefix.tokens=64", "trace.transforms.shared_prefix.share=0.5");
        run(shared, "shared", new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> console.add(t + " " + k + ": " + d),
                null, null));
        // 0 cached tokens of 1,014,189 on an Azure slice, with nothing said
        assertTrue(console.stream().anyMatch(l -> l.startsWith("info prefix-cache: trace.transforms.shared_prefix shares "
                + "prompts, but no replica has a prefix cache")), console.toString());
    }

    @Test
    void sharedPromptsWithPromptsOfTheirOwnAreSaidToBeSharedNowhere() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var console = new java.util.ArrayList<String>();
        run(List.of("trace.synthetic.count=10", "trace.transforms.shared_prefix.prompts=2",
                "trace.transforms.shared_prefix.tokens=64", "trace.transforms.shared_prefix.share=0.5",
                "plugins.prefix-cache.name=radix", "prompts.kind=random"), "random", new ExperimentRunner.Options(plugins,
                (t, k, f, to, d) -> console.add(t + " " + k + ": " + d), null, null));
        // 0 requests with a cached prefix against all of them with synthetic prompts, and nothing said
        assertTrue(console.stream().anyMatch(l -> l.startsWith("info trace: trace.transforms.shared_prefix shares prompt "
                + "blocks, but prompts.kind random gives every request token ids of its own")), console.toString());
    }

    @Test
    void sharedPrefixValuesAreCheckedAtLoadWithTheirKeys() {
        // they were refused after the run folder existed, as SharedPrefix.share (and a missing share shared nothing)
        for (var bad : List.of(List.of("share=1.5", "trace.transforms.shared_prefix.share must be in (0, 1]"),
                List.of("share=0", "trace.transforms.shared_prefix.share must be in (0, 1]"),
                List.of("prompts=0", "trace.transforms.shared_prefix.prompts must be >= 1"),
                List.of("tokens=8", "trace.transforms.shared_prefix.tokens must be at least block_tokens (16), was 8"))) {
            var overrides = new java.util.ArrayList<>(List.of("trace.transforms.shared_prefix.prompts=2",
                    "trace.transforms.shared_prefix.tokens=64", "trace.transforms.shared_prefix.share=0.5"));
            overrides.add("trace.transforms.shared_prefix." + bad.get(0));
            var e = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null, overrides));
            assertTrue(e.getMessage().contains(bad.get(1)), e.getMessage());
        }
        var missing = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null, List.of(
                "trace.transforms.shared_prefix.prompts=2", "trace.transforms.shared_prefix.tokens=64")));
        assertTrue(missing.getMessage().contains("shared_prefix.share must be in (0, 1]"), missing.getMessage());
        var format = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null,
                List.of("trace.format=parquet")));
        assertTrue(format.getMessage().contains("trace.format: unknown trace format 'parquet'"), format.getMessage());
        var first = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null,
                List.of("trace.transforms.first=-3")));
        assertTrue(first.getMessage().contains("trace.transforms.first must be >= 0 (0: all), was -3"), first.getMessage());
    }

    @Test
    void aParameterAPluginRefusesAtItsCreationIsNamedAsWritten() throws Exception {
        // a value only the plugin can judge (a retry_on that names no failure): it said "parameter 'retry_on'"
        // inside "threw while being created: java.lang.IllegalArgumentException: ..."
        var plugins = TestBundles.resiliencePlugins(TestBundles.defaultPlugins(work.resolve("plugins")));
        var e = assertThrows(RuntimeException.class, () -> run(List.of("replicas=2", "plugins.retry.name=retry",
                "plugins.retry.params.retry_on=answered"), "retry", options(plugins)));
        assertTrue(e.getMessage().startsWith("plugins.retry.params.retry_on names 'answered'"), e.getMessage());
        assertTrue(!e.getMessage().contains("IllegalArgumentException"), e.getMessage());
        // and the refusals of settings that allow a policy nothing, each keyed (the budget's read as a plugin crash)
        for (var refused : List.of(List.of("plugins.retry.name=retry-budget", "plugins.retry.params.budget_percent=0",
                        "plugins.retry.params.min_retry_concurrency=0", "plugins.retry.params.budget_percent is 0"),
                List.of("plugins.hedge.name=hedge", "plugins.hedge.params.max_hedge_fraction=0", "x=0",
                        "plugins.hedge.params.max_hedge_fraction is 0"))) {
            var overrides = new java.util.ArrayList<>(List.of("replicas=2"));
            overrides.addAll(refused.subList(0, 3).stream().filter(o -> !o.equals("x=0")).toList());
            var r = assertThrows(RuntimeException.class, () -> run(overrides, "refused", options(plugins)));
            assertTrue(r.getMessage().startsWith(refused.get(3)), r.getMessage());
        }
    }

    @Test
    void aFolderThatHoldsResultsIsRefusedBeforeAnythingElseIsStarted() throws Exception {
        // given: a folder with results, and a plugins folder that does not exist (the host would refuse it first)
        Files.createDirectories(work.resolve("done"));
        Files.writeString(work.resolve("done/requests.arrow"), "");
        var e = assertThrows(java.io.IOException.class,
                () -> run(SMALL, "done", options(work.resolve("no-such-plugins"))));
        assertTrue(e.getMessage().contains("already holds a run's results (requests.arrow); choose a new run folder, "
                + "or delete this one"), e.getMessage());
        assertTrue(!e.getMessage().contains("recover"), "recover does nothing for a finished run: " + e.getMessage());
        // a killed run's streams point to recover; a file is a file
        Files.createDirectories(work.resolve("killed"));
        Files.writeString(work.resolve("killed/events.arrows"), "");
        var killed = assertThrows(java.io.IOException.class, () -> run(SMALL, "killed", options(work.resolve("x"))));
        assertTrue(killed.getMessage().contains("(events.arrows, a table still open: a killed run's, which `servelab "
                + "recover"), killed.getMessage());
        Files.writeString(work.resolve("a-file"), "");
        var file = assertThrows(java.io.IOException.class, () -> run(SMALL, "a-file", options(work.resolve("x"))));
        assertTrue(file.getMessage().endsWith("a-file is a file, not a folder (a run writes its results into a folder)"),
                file.getMessage());
    }

    @Test
    void aWindowThatSelectsNoRequestIsAnErrorNotAnEmptyRun() throws Exception {
        var trace = Files.writeString(work.resolve("t.csv"), "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                + "2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:50.9951690,396,109\n");
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var e = assertThrows(IllegalArgumentException.class, () -> run(List.of("trace.file=" + trace,
                "trace.transforms.window_s=[5000, 6000]"), "empty", options(plugins)));
        assertTrue(e.getMessage().startsWith("the trace gives no request to replay ("), e.getMessage());
        assertTrue(e.getMessage().contains("rows_read 2, rows_skipped {\"wrong_column_count\":0,"), e.getMessage());
        // and: a window that starts before the trace is the key's error, not a Java record's
        var early = assertThrows(RuntimeException.class, () -> ExperimentFile.load(null,
                List.of("trace.file=" + trace, "trace.transforms.window_s=[-5, 10]")));
        assertTrue(early.getMessage().contains("trace.transforms.window_s must start at 0 s or later"), early.getMessage());
        // the run had no folder yet: none is left to block the corrected run
        assertTrue(!Files.exists(work.resolve("empty")), "a folder was left");
        // a synthetic workload's window past its arrivals says so (it printed "rows_read null ... against the file")
        var synthetic = assertThrows(IllegalArgumentException.class, () -> run(List.of("trace.synthetic.count=5",
                "trace.transforms.window_s=[5000, 6000]"), "empty-synthetic", options(plugins)));
        assertTrue(synthetic.getMessage().startsWith("the synthetic workload gives no request to replay (transforms "),
                synthetic.getMessage());
    }

    @Test
    void aTraceThatCannotBeReadFromItsStartLeavesNoRunFolder() throws Exception {
        // it left run.json and four empty tables: a "finished" run of 0 requests that refused the corrected run
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var junk = Files.writeString(work.resolve("junk.txt"), "this is no trace\n");
        var badRow = Files.writeString(work.resolve("bad.csv"), "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                + "2023-11-16 18:15:46.6805900,many,44\n");
        for (var file : List.of(work.resolve("absent.csv"), work, junk, badRow)) {
            var folder = work.resolve("never-" + file.getFileName());
            assertThrows(Exception.class, () -> run(List.of("trace.file=" + file), folder.getFileName().toString(),
                    options(plugins)));
            assertTrue(!Files.exists(folder), file + ": a folder was left");
        }
        // and the same folder then takes a run of a good trace
        var good = run(List.of("trace.synthetic.count=5"), "never-junk.txt", options(plugins));
        assertTrue(Files.exists(good.runDir().resolve("summary.json")));
    }

    @Test
    void aPolicyThatStallsTheEngineIsSaidOnTheConsoleWithWhereItIs() throws Exception {
        // given: a scheduler that sleeps 2.5 s in its 30th call, and a stall wait of 1 s
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        String slow = "int[] calls = {0}; return ctx -> { if (++calls[0] == 30) { try { Thread.sleep(2500); } "
                + "catch (InterruptedException e) { throw new IllegalStateException(e); } } "
                + "return new Ordering(ctx.running(), ctx.waiting()); };";
        TestBundles.drop(plugins, "slow.jar", TestBundles.scheduler(work, "slow", "1.0.0", "", slow));
        var console = new CopyOnWriteArrayList<String>();
        System.setProperty("servelab.stall.s", "1");
        try {
            run(List.of("seed=7", "kv.blocks=600", "trace.synthetic.count=60", "plugins.scheduler.name=slow"), "slow",
                    new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> console.add(t + " " + d), null, null));
        } finally {
            System.clearProperty("servelab.stall.s");
        }
        // then: one message, naming the plugin's code the engine was in
        var stalls = console.stream().filter(l -> l.contains("no engine step has ended for")).toList();
        assertEquals(1, stalls.size(), console.toString());
        assertTrue(stalls.getFirst().contains("probe.slow.v1_0_0.Factory"), stalls.getFirst());
    }

    @Test
    void aParameterWrittenAsNullIsNamedAndNoFolderIsLeft() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var e = assertThrows(IllegalArgumentException.class, () -> run(List.of("plugins.scheduler.params.key=null"),
                "nulled", options(plugins)));
        assertEquals("plugins.scheduler.params.key is null: leave the key out for its default", e.getMessage());
        assertTrue(Files.notExists(work.resolve("nulled")), "a run that never started leaves no folder");
    }

    @Test
    void zeroTokenRowsAreSkippedOrReplayedWithOneTokenAsAsked() throws Exception {
        // a failed request of a trace: 0 output tokens; by default left out, with zero_tokens: clamp replayed with 1
        var trace = Files.writeString(work.resolve("z.csv"), "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                + "2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:47.0000000,396,0\n"
                + "2023-11-16 18:15:50.9951690,396,109\n");
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var skip = run(List.of("trace.file=" + trace), "skip", options(plugins));
        var clamp = run(List.of("trace.file=" + trace, "trace.zero_tokens=clamp"), "clamp", options(plugins));
        assertEquals(2, RunResults.load(skip.runDir()).requests().rowCount());
        var rows = RunResults.load(clamp.runDir()).requests();
        assertEquals(3, rows.rowCount());
        assertArrayEquals(new long[] {44, 1, 109}, rows.longs("output_tokens"));
        var info = new com.fasterxml.jackson.databind.ObjectMapper().readTree(clamp.runDir().resolve("run.json").toFile());
        assertEquals(1, info.get("trace").get("rows_clamped").asInt());
        var bad = assertThrows(IllegalArgumentException.class, () -> run(List.of("trace.file=" + trace,
                "trace.zero_tokens=keep"), "bad", options(plugins)));
        assertTrue(bad.getMessage().contains("trace.zero_tokens 'keep' is unknown; accepted: skip, clamp"), bad.getMessage());
    }

    @Test
    void offloadKeepsEvictedPrefixBlocksInTheHostTierAndRecordsTheCopies() throws Exception {
        // given: 16 shared 1,024-token system prompts (64 blocks each) and 400 device blocks, so prefixes get evicted
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var shared = List.of("seed=7", "profile=llama-3-8b/h100-80gb", "kv.blocks=400", "trace.synthetic.count=200",
                "trace.synthetic.arrivals.rate=20", "trace.transforms.shared_prefix.prompts=16",
                "trace.transforms.shared_prefix.tokens=1024", "trace.transforms.shared_prefix.share=0.9",
                "plugins.prefix-cache.name=hash-block");
        var withHost = new ArrayList<>(shared);
        withHost.addAll(List.of("kv.host_blocks=4000", "kv.offload=true"));
        var off = RunResults.load(run(shared, "off", options(plugins)).runDir()).table(ResultTable.ITERATIONS).orElseThrow();
        var onRun = run(withHost, "on", options(plugins));
        var on = RunResults.load(onRun.runDir()).table(ResultTable.ITERATIONS).orElseThrow();
        // then: blocks went to the host tier and came back as prefix hits, and more prompt tokens hit than without
        assertTrue(sum(on, "offloaded_blocks") > 0, "offloaded");
        assertTrue(sum(on, "reloaded_blocks") > 0, "reloaded");
        assertEquals(0, sum(off, "swap_in_blocks") + sum(off, "swap_out_blocks"));
        assertTrue(sum(on, "prefix_hit_tokens") > sum(off, "prefix_hit_tokens"));
        assertEquals(4000, on.longs("kv_host_blocks_total")[0]);
        assertTrue(Files.readString(onRun.runDir().resolve("run.json")).contains("\"offload\" : true"));
    }

    private static long sum(servelab.runtime.report.Table table, String column) {
        return java.util.Arrays.stream(table.longs(column)).sum();
    }

    @Test
    void everyRequestAppearsOnceWithItsTokenCountsAndTheSummaryIsWritten() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var r = run(SMALL, "run", options(plugins));
        var results = RunResults.load(r.runDir());
        var ids = results.requests().longs("request_id");
        assertEquals(300, ids.length);
        assertEquals(300, java.util.Arrays.stream(ids).distinct().count());
        var expected = ExperimentTrace.synthetic(ExperimentFile.load(null, SMALL).trace().synthetic(), 7).toList();
        var inputs = results.requests().longs("input_tokens");
        var outputs = results.requests().longs("output_tokens");
        for (int i = 0; i < ids.length; i++) {
            var req = expected.get((int) ids[i]);
            assertEquals(req.inputTokens(), inputs[i], "input tokens of request " + ids[i]);
            assertEquals(req.outputTokens(), outputs[i], "output tokens of request " + ids[i]);
        }
        assertTrue(Files.exists(r.runDir().resolve("summary.json")));
        assertTrue(Files.exists(r.runDir().resolve("run.json")));
        assertTrue(!Files.exists(r.runDir().resolve("control.port")), "control.port is removed when the run ends");
        assertEquals(300, r.summary().completed());
    }

    @Test
    void aSchedulerSwappedHalfwayThroughARunIsRecordedAndSeparatesTheIterations() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        String fcfs = "return ctx -> new Ordering(ctx.running(), ctx.waiting());";
        TestBundles.drop(plugins, "probe.jar", TestBundles.scheduler(work, "probe", "1.0.0", "", fcfs));
        var v2 = TestBundles.scheduler(work, "probe", "2.0.0", "", fcfs);
        var reports = new CopyOnWriteArrayList<String>();
        HostListener listener = (type, kind, from, to, detail) -> reports.add(type + " " + detail);
        var swapped = new ArrayList<Long>();
        ExperimentRunner.Options options = new ExperimentRunner.Options(plugins, listener, null, (replica, end) -> {
            if (replica.iterations() == 200) {
                try {
                    TestBundles.drop(plugins, "probe.jar", v2);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (reports.stream().noneMatch(r -> r.contains("probe@2.0.0"))) {
                    if (System.nanoTime() > deadline) throw new AssertionError("no swap reported: " + reports);
                    Thread.onSpinWait();
                }
                swapped.add(replica.iterations());
            }
        });
        var overrides = new ArrayList<>(SMALL);
        overrides.add("plugins.scheduler.name=probe");
        var r = run(overrides, "swap", options);
        assertEquals(List.of(200L), swapped);
        var results = RunResults.load(r.runDir());
        assertEquals(300, results.requests().longs("request_id").length);
        var iterations = results.table(ResultTable.ITERATIONS).orElseThrow();
        var numbers = iterations.longs("iteration");
        var schedulers = iterations.strings("scheduler");
        for (int i = 0; i < numbers.length; i++) {
            assertEquals(numbers[i] < 200 ? "probe@1.0.0" : "probe@2.0.0", schedulers.get(i), "iteration " + numbers[i]);
        }
        var events = results.table(ResultTable.EVENTS).orElseThrow();
        var types = events.strings("type");
        int swaps = 0;
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i).equals("swap")) {
                swaps++;
                assertEquals(200, events.longs("iteration")[i]);
                assertEquals("probe@1.0.0", events.strings("from_value").get(i));
                assertEquals("probe@2.0.0", events.strings("to_value").get(i));
            }
        }
        assertEquals(1, swaps);
    }

    @Test
    void anUnknownPluginIsAClearErrorListingWhatIsInstalled() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var overrides = new ArrayList<>(SMALL);
        overrides.add("plugins.scheduler.name=nope");
        var e = assertThrows(PluginException.class, () -> run(overrides, "x", options(plugins)));
        assertEquals("unknown scheduler 'nope'; installed: fcfs@1.0.0, sjf@1.0.0", e.getMessage());
    }

    @Test
    void anUnknownPluginParameterNamesItAsWrittenAndListsTheAcceptedOnes() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var overrides = new ArrayList<>(SMALL);
        overrides.add("plugins.batcher.params.max_seqs=4");
        var e = assertThrows(IllegalArgumentException.class, () -> run(overrides, "x", options(plugins)));
        assertEquals("unknown plugins.batcher.params.max_seqs for batcher 'continuous'; accepted: max_num_seqs (int), "
                + "max_num_batched_tokens (int), chunked_prefill (boolean), preempt_mode (string), speculative_disable_by_batch_size (int)", e.getMessage());
    }

    @Test
    void aBlockSizeTooLargeForTheKvMemoryNamesTheKey() throws Exception {
        // it said "deviceBlocks must be >= 1, was 0", an internal name
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var overrides = new ArrayList<>(SMALL);
        overrides.add("kv.block_size=1000000000");
        overrides.add("kv.blocks=0");
        var e = assertThrows(IllegalArgumentException.class, () -> run(overrides, "x", options(plugins)));
        assertTrue(e.getMessage().startsWith("kv.block_size 1000000000 is too large: replica 0's KV memory"), e.getMessage());
    }

    @Test
    void aPluginParameterOutOfRangeIsNamedAsWrittenAtTheTopAndInAGroup() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var top = new ArrayList<>(SMALL);
        top.add("plugins.batcher.params.max_num_seqs=0");
        var e = assertThrows(IllegalArgumentException.class, () -> run(top, "x", options(plugins)));
        assertTrue(e.getMessage().startsWith("plugins.batcher.params.max_num_seqs must be in [1, "), e.getMessage());
        // and in a group's plugins, with the group's index
        var grouped = new ArrayList<>(SMALL);
        grouped.add("cluster.groups=[{count: 1}, {count: 1, plugins: {batcher: {params: {max_num_seqs: -3}}}}]");
        var g = assertThrows(IllegalArgumentException.class, () -> run(grouped, "y", options(plugins)));
        assertTrue(g.getMessage().startsWith("cluster.groups[1].plugins.batcher.params.max_num_seqs must be in [1, "),
                g.getMessage());
    }
}
