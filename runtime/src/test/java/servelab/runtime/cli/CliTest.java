package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.TestBundles;

class CliTest {
    @TempDir Path work;

    private record Outcome(int code, String out, String err) {}

    private Outcome execute(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void pluginsListsEveryPluginWithItsParametersDefaultsAndDocs() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var r = execute("plugins", "--plugins-dir", plugins.toString());
        assertEquals(0, r.code(), r.err());
        var expected = """
                scheduler
                  fcfs                 1.0.0    fcfs.jar
                      First come, first served; preempts the most recently scheduled request first (vLLM default).
                  sjf                  1.0.0    sjf.jar
                      Shortest job first by remaining output (oracle), prompt length or a predictor; ties by arrival.
                      - key (string, default oracle, one of [oracle, prompt, noisy-oracle, predicted]): job length: oracle = true remaining output, prompt = prompt tokens (input-length proxy), noisy-oracle = true length x log-normal error, predicted = the engine's prediction when there is one, else prompt
                      - noise_sigma (double, default 0.5, [0.0, 5.0]): noisy-oracle: sigma of the log-normal multiplicative error
                      - seed (long, default 0): noisy-oracle: seed of the per-request error
                batcher
                  continuous           1.0.0    continuous.jar
                      Continuous batching, running sequences first, chunked prefill, vLLM v1 budgets (Orca; vLLM).
                      - max_num_seqs (int, default 256, [1, 1048576]): most sequences in one step
                      - max_num_batched_tokens (int, default 8192, [1, 16777216]): most tokens computed in one step
                      - chunked_prefill (boolean, default true): split prompts larger than the step's remaining budget
                      - preempt_mode (string, default recompute, one of [recompute, swap]): how a preempted sequence gives back its KV blocks
                      - speculative_disable_by_batch_size (int, default 0, [0, 1048576]): verify no speculative drafts while this many sequences or more are running (0: always verify)
                  decode-first-mixed   1.0.0    continuous.jar
                      vLLM v1 default: running sequences first, then chunked prompts in one mixed step (= continuous).
                      - max_num_seqs (int, default 256, [1, 1048576]): most sequences in one step
                      - max_num_batched_tokens (int, default 8192, [1, 16777216]): most tokens computed in one step
                      - chunked_prefill (boolean, default true): split prompts larger than the step's remaining budget
                      - preempt_mode (string, default recompute, one of [recompute, swap]): how a preempted sequence gives back its KV blocks
                      - speculative_disable_by_batch_size (int, default 0, [0, 1048576]): verify no speculative drafts while this many sequences or more are running (0: always verify)
                kv-allocator
                  contiguous           1.0.0    contiguous.jar
                      Reserves a sequence's maximum context at admission (pre-vLLM baseline; vLLM paper's Orca Max/Oracle).
                      - reserve (string, default max-context, one of [max-context, request]): what to reserve: max_context_tokens, or prompt + output limit (an oracle in replay)
                      - max_context_tokens (int, default 8192, [1, 16777216]): context reserved per sequence with reserve=max-context (Llama 3: 8192)
                  paged                1.0.0    paged.jar
                      Paged KV blocks, allocated as tokens are computed (vLLM PagedAttention), with an admission watermark.
                      - watermark (double, default 0.01, [0.0, 0.5]): fraction of all KV blocks kept free when admitting a new request
                prefix-cache
                  hash-block           1.0.0    prefix.jar
                      Chained block hashes, full blocks only, tokens verified on a hit (vLLM automatic prefix caching).
                  none                 1.0.0    prefix.jar
                      No prefix caching (the default): every prompt is computed in full.
                  radix                1.0.0    prefix.jar
                      Token radix tree, full blocks only, matched token by token (SGLang RadixAttention).
                eviction
                  fifo                 1.0.0    eviction.jar
                      First filled, first evicted; hits do not count.
                  gdsf                 1.0.0    eviction.jar
                      Greedy-Dual-Size-Frequency: clock + uses x recompute cost (deeper blocks cost more) (Cherkasova 1998).
                      - depth_weight (double, default 5.6E-4, [0.0, 1000.0]): recompute cost added per block of prefix a block attends to, relative to its linear layers (2 x block tokens x d_model x layers / weights)
                  lfu                  1.0.0    eviction.jar
                      Least frequently used block first (fill + hits since filled); ties by least recent use.
                  lru                  1.0.0    eviction.jar
                      Least recently used block first (the default).
                      - order (string, default use, one of [use, release]): use: by last use, in access order (the Mooncake reference statistics' LRU); release: by release, a request's blocks tail first (vLLM v1's free queue)
                  slru                 1.0.0    eviction.jar
                      Segmented LRU: probationary and protected segments; a hit protects a block (Karedla et al. 1994).
                      - protected_fraction (double, default 0.8, [0.0, 1.0]): largest share of the cached blocks the protected segment may hold
                speculator
                  draft-model          1.0.0    built-in
                      A smaller model drafts, the target verifies (model.draft_path; Leviathan et al. 2023).
                      - num_speculative_tokens (int, default 4, [1, 64]): draft tokens per decoding sequence
                  layer-skip           1.0.0    built-in
                      Self-speculation: the target's first layers draft, the whole model verifies (LayerSkip).
                      - layers (int, default 0, [0, 1024]): leading layers of the target used as the draft model (0: half of them)
                      - num_speculative_tokens (int, default 3, [1, 64]): draft tokens per decoding sequence
                  modeled              1.0.0    built-in
                      Simulation only: k placeholder drafts per decoding sequence; the simulated executor's acceptance model (speculation.acceptance) decides what is accepted and speculation.draft_cost prices proposing them.
                      - num_speculative_tokens (int, default 4, [1, 64]): draft tokens per decoding sequence
                  ngram                1.0.0    ngram.jar
                      Prompt lookup: drafts what followed the last earlier occurrence of the context's suffix (vLLM ngram).
                      - num_speculative_tokens (int, default 4, [1, 64]): draft tokens proposed per sequence and step (k); the engine cuts a draft to the tokens the sequence has left and to the engine's cap of 64
                      - prompt_lookup_max (int, default 4, [1, 64]): longest n-gram (context suffix) looked up; tried first
                      - prompt_lookup_min (int, default 1, [1, 64]): shortest n-gram looked up when no longer one matches (at most prompt_lookup_max)
                      - adaptive_k (boolean, default false): tune k per sequence from its last verification: start at num_speculative_tokens, +1 when every draft token was accepted, halved (at least 1) when fewer than half were, else unchanged
                  none                 1.0.0    built-in
                      No speculative decoding.
                router
                  round-robin          1.0.0    built-in
                      Replicas in turn, whatever their load.
                admission
                  accept-all           1.0.0    built-in
                      Admits every request.
                retry
                  none                 1.0.0    built-in
                      A failed attempt fails its request.
                hedge
                  none                 1.0.0    built-in
                      No hedged copies.
                breaker
                  none                 1.0.0    built-in
                      Every replica may be chosen, whatever its failures.
                autoscaler
                  none                 1.0.0    built-in
                      The replicas the cluster starts with serve for the whole run.
                """;
        assertEquals(expected, r.out().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void pluginsListsTheResilienceAndAutoscalingBundlesUnderTheirKinds() throws Exception {
        var plugins = TestBundles.resiliencePlugins(TestBundles.defaultPlugins(work.resolve("plugins")));
        var r = execute("plugins", "--plugins-dir", plugins.toString());
        assertEquals(0, r.code(), r.err());
        String out = r.out().replace(System.lineSeparator(), "\n");
        var expected = """
                retry
                  none                 1.0.0    built-in
                      A failed attempt fails its request.
                  retry                1.0.0    retry.jar
                      Exponential backoff with full jitter (seeded), up to max_attempts attempts.
                      - max_attempts (int, default 3, [1, 1000]): attempts in all, the first included (1: never retry)
                      - base_ms (double, default 100.0, [0.0, 3600000.0]): backoff base: the first retry waits up to this, milliseconds
                      - cap_ms (double, default 10000.0, [0.0, 8.64E7]): longest backoff ceiling, milliseconds
                      - retry_on (string, default crashed,unreachable,no_replica,timed_out): comma-separated failures to retry, of crashed, unreachable, no_replica, timed_out
                  retry-budget         1.0.0    retry.jar
                      retry, but only while retries in flight stay within a budget of live requests (Envoy).
                      - max_attempts (int, default 3, [1, 1000]): attempts in all, the first included (1: never retry)
                      - base_ms (double, default 100.0, [0.0, 3600000.0]): backoff base: the first retry waits up to this, milliseconds
                      - cap_ms (double, default 10000.0, [0.0, 8.64E7]): longest backoff ceiling, milliseconds
                      - retry_on (string, default crashed,unreachable,no_replica,timed_out): comma-separated failures to retry, of crashed, unreachable, no_replica, timed_out
                      - budget_percent (double, default 20.0, [0.0, 100.0]): retries in flight allowed, as a percentage of the live requests (Envoy: 20)
                      - min_retry_concurrency (int, default 3, [0, 1073741824]): retries in flight always allowed, whatever the percentage gives (Envoy: 3)
                hedge
                  hedge                1.0.0    hedge.jar
                      Hedges an attempt after a fixed delay or the recent latency quantile (The Tail at Scale).
                      - delay_ms (double, default 0.0, [0.0, 3600000.0]): fixed wait before the hedge, milliseconds; 0: wait the recent latency quantile instead
                      - quantile (double, default 0.95, [0.5, 1.0]): quantile of recent answer latency after which to hedge (Dean and Barroso: 0.95)
                      - min_delay_ms (double, default 10.0, [0.0, 3600000.0]): floor of the wait before a hedge, milliseconds
                      - max_hedge_fraction (double, default 1.0, [0.0, 1.0]): no hedge while hedges in flight reach this fraction of live requests (1: no cap); above 0 (0 would allow no hedge: choose hedge none)
                  none                 1.0.0    built-in
                      No hedged copies.
                breaker
                  circuit-breaker      1.0.0    breaker.jar
                      A Resilience4j circuit breaker per replica on the run's clock: closed, open, half-open.
                      - failure_rate_threshold (double, default 50.0, [1.0, 100.0]): failure rate, percent of the window's calls, that opens a replica's breaker
                      - wait_open_ms (double, default 60000.0, [1.0, 8.64E7]): how long an open breaker keeps its replica out before half-opening, milliseconds
                      - permitted_half_open (int, default 10, [1, 1000000]): calls a half-open breaker evaluates before it closes or opens again
                      - sliding_window_size (int, default 100, [1, 1000000]): calls in the count-based sliding window (Resilience4j's default window)
                      - minimum_calls (int, default 100, [1, 1000000]): calls recorded before the failure rate is evaluated at all; at most sliding_window_size
                      - slow_call_ms (double, default 0.0, [0.0, 8.64E7]): answers slower than this count as slow calls, milliseconds; 0: no slow-call detection
                      - slow_call_rate_threshold (double, default 50.0, [1.0, 100.0]): slow-call rate, percent, that opens the breaker (with slow_call_ms set)
                  none                 1.0.0    built-in
                      Every replica may be chosen, whatever its failures.
                  outlier-ejection     1.0.0    breaker.jar
                      Envoy-style outlier ejection: consecutive failures eject a replica, with a cap on ejected replicas.
                      - consecutive_5xx (int, default 5, [1, 1000000]): failed attempts in a row that make a replica an outlier (Envoy: 5)
                      - base_ejection_ms (double, default 30000.0, [0.0, 8.64E7]): ejection time per time ejected, milliseconds, above 0 (Envoy: 30 s)
                      - max_ejection_ms (double, default 300000.0, [0.0, 8.64E7]): longest ejection, milliseconds (Envoy: 300 s, or base_ejection_ms if larger)
                      - max_ejection_percent (double, default 10.0, [0.0, 100.0]): replicas ejected at once, percent of all; one may always be (Envoy: 10)
                      - slow_answer_ms (double, default 0.0, [0.0, 8.64E7]): answers slower than this count as failures, milliseconds; 0: latency is not judged
                autoscaler
                  none                 1.0.0    built-in
                      The replicas the cluster starts with serve for the whole run.
                  slo-driven           1.0.0    autoscaler.jar
                      A step up while the TTFT quantile breaks the SLO, a step down when well under, with a cooldown.
                      - slo_ttft_ms (double, default 2000.0, [1.0, 3600000.0]): time-to-first-token objective, milliseconds
                      - quantile (double, default 0.9, [0.5, 1.0]): TTFT quantile held to the objective
                      - down_fraction (double, default 0.5, [0.0, 1.0]): scale down while the quantile is under this fraction of the objective
                      - step (int, default 1, [1, 1024]): replicas added or drained per decision
                      - cooldown_s (double, default 60.0, [0.0, 86400.0]): no change for this long after a change, seconds
                  target-queue         1.0.0    autoscaler.jar
                      Replicas = ceil(waiting requests / target per replica), with scale-down stabilization.
                      - target_waiting_per_replica (double, default 4.0, [0.01, 1.0E9]): waiting requests per replica the fleet is sized for
                      - stabilization_s (double, default 300.0, [0.0, 86400.0]): scale-down stabilization window, seconds (Kubernetes HPA default: 300)
                  target-utilisation   1.0.0    autoscaler.jar
                      Kubernetes HPA rule: ceil(serving x utilisation / target), tolerance, scale-down stabilization.
                      - target_utilisation (double, default 0.7, [0.01, 1.0]): utilisation (busy fraction of the interval) the fleet is sized for
                      - tolerance (double, default 0.1, [0.0, 1.0]): no change while utilisation / target is within this of 1 (HPA: 0.1)
                      - stabilization_s (double, default 300.0, [0.0, 86400.0]): scale-down stabilization window, seconds (HPA default: 300)
                """;
        assertEquals(expected, out.substring(out.indexOf("retry\n")));
    }

    @Test
    void pluginsReportsABrokenJarOnStderrAndListsTheRest() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        Files.writeString(plugins.resolve("broken.jar"), "not a jar");
        var r = execute("plugins", "--plugins-dir", plugins.toString());
        assertEquals(0, r.code());
        assertTrue(r.err().contains("broken.jar: not a plugin bundle"), r.err());
        assertTrue(r.out().contains("fcfs"), r.out());
    }

    @Test
    void runWithAnUnknownPluginFailsWithAMessageNamingIt() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var r = execute("run", "--quiet", "--plugins-dir", plugins.toString(), "--out", work.resolve("run").toString(),
                "--set", "plugins.scheduler.name=lottery");
        assertEquals(1, r.code());
        assertEquals("servelab run: unknown scheduler 'lottery'; installed: fcfs@1.0.0, sjf@1.0.0", r.err().strip());
    }

    @Test
    void runWithAnUnknownExperimentKeyNamesItAndTheAcceptedKeys() throws Exception {
        var file = Files.writeString(work.resolve("exp.yaml"), "name: x\ntrace:\n  fiel: a.csv\n");
        var r = execute("run", "--quiet", file.toString());
        assertEquals(1, r.code());
        assertEquals("servelab run: " + file + ": unknown key 'trace.fiel'; accepted there: file, format, "
                + "skip_bad_rows, synthetic, transforms, zero_tokens", r.err().strip());
    }

    @Test
    void aMissingPluginsDirectoryIsExplained() throws Exception {
        var r = execute("plugins", "--plugins-dir", work.resolve("nowhere").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("plugins directory " + work.resolve("nowhere") + " does not exist"), r.err());
        // a file given as the folder: it said the folder does not exist
        var file = java.nio.file.Files.writeString(work.resolve("a.csv"), "x\n");
        var f = execute("plugins", "--plugins-dir", file.toString());
        assertTrue(f.err().contains("plugins directory " + file + " is a file, not a folder"), f.err());
    }

    @Test
    void ctlSwitchesTheSchedulerOfARunningExperimentAtTheNextIteration() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var runDir = work.resolve("run");
        var answers = new java.util.ArrayList<Outcome>();
        var console = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var experiment = servelab.runtime.experiment.ExperimentFile.load(null, java.util.List.of(
                "kv.blocks=600", "trace.synthetic.count=200", "trace.synthetic.arrivals.rate=30"));
        servelab.runtime.experiment.ExperimentRunner.run(experiment, runDir,
                new servelab.runtime.experiment.ExperimentRunner.Options(plugins,
                        (t, k, f, to, d) -> console.add(t + " " + d), null,
                        (replica, end) -> {
                            if (replica.iterations() == 100) {
                                answers.add(execute("ctl", "--run", runDir.toString(), "switch", "scheduler", "sjf",
                                        "key=prompt"));
                                answers.add(execute("ctl", "--run", runDir.toString(), "slots"));
                                answers.add(execute("ctl", "--run", runDir.toString(), "switch", "scheduler", "nope"));
                                answers.add(execute("ctl", "--run", runDir.toString(), "switch", "scheduler",
                                        "n\u001b[31mo"));
                            }
                        }));
        assertEquals(0, answers.get(0).code(), answers.get(0).err());
        assertEquals("scheduler fcfs@1.0.0 -> sjf@1.0.0 {key=prompt, noise_sigma=0.5, seed=0}", answers.get(0).out().strip());
        // the run's own terminal says so too (it said nothing of a ctl switch), and of the one refused (a plugin
        // that threw when made was told to the ctl client only)
        // (a client's escape sequences are shown as escapes, not obeyed by the run's terminal)
        assertEquals(java.util.List.of("info ctl switch scheduler sjf key=prompt: scheduler fcfs@1.0.0 -> sjf@1.0.0 {key=prompt, noise_sigma=0.5, seed=0}",
                        "info ctl switch scheduler nope refused: unknown scheduler 'nope'; installed: fcfs@1.0.0, sjf@1.0.0",
                        "info ctl switch scheduler n\\u001B[31mo refused: unknown scheduler 'n\\u001B[31mo'; installed: "
                                + "fcfs@1.0.0, sjf@1.0.0"),
                console.stream().filter(l -> l.contains("ctl")).toList());
        assertTrue(answers.get(1).out().contains("scheduler sjf@1.0.0"), answers.get(1).out());
        assertEquals(1, answers.get(2).code());
        assertEquals("servelab ctl: unknown scheduler 'nope'; installed: fcfs@1.0.0, sjf@1.0.0", answers.get(2).err().strip());
        var iterations = servelab.runtime.report.RunResults.load(runDir)
                .table(servelab.runtime.record.ResultTable.ITERATIONS).orElseThrow();
        var numbers = iterations.longs("iteration");
        for (int i = 0; i < numbers.length; i++) {
            assertEquals(numbers[i] < 100 ? "fcfs@1.0.0" : "sjf@1.0.0", iterations.strings("scheduler").get(i));
        }
    }

    @Test
    void runPrintsAVllmStyleSummaryWithGoodputUnderTheGivenSlo() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var r = execute("run", "--quiet", "--plugins-dir", plugins.toString(), "--out", work.resolve("run").toString(),
                "--set", "trace.synthetic.count=50", "--slo", "ttft=500,tpot=40");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Successful requests:                     50"), r.out());
        assertTrue(r.out().contains("Request goodput (req/s):"), r.out());
        var summary = Files.readString(work.resolve("run/summary.json"));
        assertTrue(summary.contains("\"request_goodput\""), summary);
    }

    @Test
    void runOnAGeneratedModelRecordsTheBackendAndWritesEveryRequestsTokens() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var model = work.resolve("tiny.gguf");
        servelab.kernels.model.RandomLlama.write(model,
                servelab.kernels.model.RandomLlama.Spec.tiny(servelab.kernels.matmul.WeightFormat.Q8_0), 3);
        var r = execute("run", "--quiet", "--plugins-dir", plugins.toString(), "--out", work.resolve("run").toString(),
                "--model", model.toString(), "--set", "trace.synthetic.count=12", "--set", "trace.synthetic.input.max=200",
                "--set", "trace.synthetic.output.max=30", "--set", "model.threads=1", "--set", "model.warmup_s=0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Successful requests:                     12"), r.out());
        assertTrue(r.out().contains("on the model"), r.out());
        var info = servelab.runtime.record.Json.MAPPER.readTree(work.resolve("run/run.json").toFile());
        assertEquals("cpu-vector", info.get("backend").asText());
        assertTrue(info.get("executor").asText().startsWith("model: tiny.gguf: llama, 2 layers, width 64"),
                info.get("executor").asText());
        var lines = Files.readAllLines(work.resolve("run/outputs.jsonl"));
        assertEquals(12, lines.size());
        var requests = servelab.runtime.report.RunResults.load(work.resolve("run"));
        for (var line : lines) {
            var node = servelab.runtime.record.Json.MAPPER.readTree(line);
            assertTrue(node.get("tokens").size() > 0 && node.has("text"), line);
        }
        assertEquals(12, requests.requests().rowCount());
    }

    @Test
    void theModelExecutorWithoutAModelOrWithABadFileIsExplained() throws Exception {
        var r = execute("run", "--quiet", "--executor", "model");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("executor 'model' needs model.path"), r.err());
        var bad = Files.write(work.resolve("bad.gguf"), new byte[] {'G', 'G', 'U', 'X', 3, 0, 0, 0});
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        r = execute("run", "--quiet", "--plugins-dir", plugins.toString(), "--out", work.resolve("run").toString(),
                "--model", bad.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("model file " + bad + " cannot be used"), r.err());
        r = execute("run", "--quiet", "--model", "x.gguf", "--set", "model.backend=cuda");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("model.backend: unknown backend 'cuda'; accepted: cpu-vector, cpu-packed, cpu-reference, tornadovm, tornadovm-matmul"), r.err());
        // sampling keys are named as the experiment writes them (it said SamplingParams.topK)
        r = execute("run", "--quiet", "--model", "x.gguf", "--set", "model.top_k=-1");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("model.top_k must be >= 0 (0 = off), was -1"), r.err());
        r = execute("run", "--quiet", "--model", "x.gguf", "--set", "model.top_p=0");
        assertTrue(r.err().contains("model.top_p must be in (0, 1] (1 = off), was 0.0"), r.err());
    }

    @Test
    void aSetThatAFlagContradictsIsRefusedNotDropped() {
        // --model won over both without a word: the run used the flag's model on the model executor
        var r = execute("run", "--quiet", "--model", "x.gguf", "--set", "executor=simulated");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--set executor=simulated and --model disagree (leave one out)"), r.err());
        r = execute("run", "--quiet", "--model", "x.gguf", "--set", "model.path=y.gguf");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--set model.path=y.gguf and --model x.gguf disagree (leave one out)"), r.err());
        r = execute("run", "--quiet", "--executor", "emulated", "--set", "executor=simulated");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--set executor=simulated and --executor emulated disagree"), r.err());
        // the same value twice is no conflict: it goes on to the missing file
        r = execute("run", "--quiet", "--model", "x.gguf", "--set", "model.path=./x.gguf", "--set", "executor=model");
        assertEquals(1, r.code(), r.err()); // ./x.gguf is x.gguf
        assertTrue(r.err().contains("x.gguf does not exist"), r.err());
    }

    @Test
    void speculatorsThatCannotRunOnTheModelExecutorAreRefusedBeforeTheRun() {
        var r = execute("run", "--quiet", "--model", "x.gguf", "--set", "plugins.speculator.name=draft-model");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("speculator 'draft-model' on the model executor needs model.draft_path"), r.err());
        r = execute("run", "--quiet", "--model", "x.gguf", "--set", "plugins.speculator.name=modeled");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("speculator 'modeled' proposes placeholder drafts"), r.err());
    }

    @Test
    void aModelSectionInASimulatedRunIsNotedNotSilentlyIgnored() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var r = execute("run", "--quiet", "--plugins-dir", plugins.toString(), "--out", work.resolve("sim").toString(),
                "--set", "model.path=tiny.gguf", "--set", "trace.synthetic.count=5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("note: model.path is set but the executor is simulated: the model is not used"),
                r.err());
    }

    @Test
    void calibrateGenerateRefusesToOverwriteAnotherModel() throws Exception {
        // a real GGUF named by mistake was overwritten with random weights
        var mine = work.resolve("mine.gguf");
        Files.write(mine, new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0});
        var r = execute("calibrate", "--generate", "tiny", "--model", mine.toString(), "--quick",
                "--out", work.resolve("p.yaml").toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains(mine + " exists and is not the model it writes"), r.err());
        assertArrayEquals(new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0}, Files.readAllBytes(mine));
    }

    @Test
    void demoRealRunsThePoliciesOnAGeneratedModelWithIdenticalTokens() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var r = execute("demo", "--real", "--plugins-dir", plugins.toString(), "--out", work.resolve("demo").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Generated tokens (greedy) identical under all three policies: yes (200 requests)"),
                r.out());
        for (var policy : DemoCommand.POLICIES) {
            assertTrue(Files.exists(work.resolve("demo").resolve(policy.label()).resolve("outputs.jsonl")), policy.label());
        }
        // every policy ran warm (an untimed pass each first), under SLOs set from the warm-up. Whether any request
        // meets them depends on the machine's load during the timed pass (wall clock), so only the table's shape is
        // checked here: one goodput figure per policy.
        assertTrue(r.out().contains("Warmed up: each policy on 40 requests"), r.out());
        // the SLOs come from the first policy run again once every policy has warmed the JIT, not from its cold run
        var order = DemoCommand.warmUpOrder();
        assertEquals(DemoCommand.POLICIES.size() + 1, order.size());
        assertEquals(DemoCommand.POLICIES, order.subList(0, DemoCommand.POLICIES.size()));
        assertEquals(DemoCommand.POLICIES.get(0), order.getLast());
        assertTrue(r.out().contains("SLOs from " + DemoCommand.POLICIES.get(0).label() + "'s warm run: "), r.out());
        assertTrue(Files.notExists(work.resolve("demo/warm-up")));
        var goodputs = r.out().lines().filter(l -> DemoCommand.POLICIES.stream().anyMatch(p -> l.startsWith(p.label())))
                .mapToDouble(l -> Double.parseDouble(l.trim().split("\\s+")[2])).toArray();
        assertTrue(goodputs.length >= DemoCommand.POLICIES.size(), r.out());
        for (double g : goodputs) assertTrue(g >= 0, r.out());
        // the time column is each run's replay, as run.json has it (it was the whole run, model warm-up included)
        for (var policy : DemoCommand.POLICIES) {
            var row = r.out().lines().filter(l -> l.startsWith(policy.label() + " ")).findFirst().orElseThrow();
            var cells = row.trim().split("\\s+");
            assertEquals(DemoCommand.replaySeconds(work.resolve("demo").resolve(policy.label())),
                    Double.parseDouble(cells[cells.length - 1]), 0.006, row);
        }
        assertTrue(r.out().contains("replay s"), r.out());
    }

    @Test
    void theTornadoVmBackendWithoutTornadoVmSaysSoAndRunsOnTheCpu() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var model = work.resolve("tiny.gguf");
        servelab.kernels.model.RandomLlama.write(model,
                servelab.kernels.model.RandomLlama.Spec.tiny(servelab.kernels.matmul.WeightFormat.Q8_0), 3);
        var stderr = new java.io.ByteArrayOutputStream();
        var old = System.err;
        System.setErr(new java.io.PrintStream(stderr, true));
        Outcome r;
        try {
            r = execute("run", "--quiet", "--plugins-dir", plugins.toString(), "--out", work.resolve("run").toString(),
                    "--model", model.toString(), "--set", "model.backend=tornadovm", "--set", "trace.synthetic.count=3",
                    "--set", "trace.synthetic.input.max=100", "--set", "trace.synthetic.output.max=10",
                    "--set", "model.warmup_s=0");
        } finally {
            System.setErr(old);
        }
        assertEquals(0, r.code(), r.err());
        assertTrue(stderr.toString().contains("tornadovm requested but unavailable (servelab-kernels-tornadovm is not on "
                + "the class path"), stderr.toString());
        var info = servelab.runtime.record.Json.MAPPER.readTree(work.resolve("run/run.json").toFile());
        assertEquals("cpu-vector", info.get("backend").asText());
        assertEquals("tornadovm", info.get("backend_requested").asText());
        assertTrue(info.get("backend_note").asText().contains("ran on cpu-vector"));
    }

    @Test
    void runRejectsAMalformedSloNamingTheKey() {
        var r = execute("run", "--quiet", "--slo", "ttfb=500");
        assertEquals(2, r.code()); // a usage error, as every bad option value
        assertTrue(r.err().contains("ttfb"), r.err());
    }

    @Test
    void traceStatsPrintsTheReferenceKeysForAGeneratedTrace() throws Exception {
        var file = work.resolve("trace.csv");
        Files.writeString(file, "arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,10,5\n1.0,20,7\n3.0,30,9\n");
        var r = execute("trace", "stats", file.toString());
        assertEquals(0, r.code(), r.err());
        var json = servelab.runtime.record.Json.MAPPER.readTree(r.out());
        assertEquals(3, json.get("rows").asInt());
        assertEquals(3.0, json.get("span_s").asDouble(), 1e-12);
        assertEquals(1.0, json.get("rate_rps").asDouble(), 1e-12);
        // and: with --skip-bad-rows, a skipped row is counted on stderr and in the JSON, not left out unsaid
        Files.writeString(file, "arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,10,5\n1.0,x,7\n3.0,30,9\n");
        var skipping = execute("trace", "stats", "--skip-bad-rows", file.toString());
        assertEquals(0, skipping.code(), skipping.err());
        assertEquals("servelab trace stats: trace.csv: skipped 1 row (bad_value); the statistics leave them out\n",
                skipping.err());
        var counted = servelab.runtime.record.Json.MAPPER.readTree(skipping.out());
        assertEquals(2, counted.get("rows").asInt());
        assertEquals(1, counted.get("rows_skipped").get("bad_value").asInt());
    }

    @Test
    void traceStatsReproducesTheSharedBurstGptReference() throws Exception {
        var dir = Path.of(System.getProperty("servelab.sharedDir", "../../shared")).resolve("traces/burstgpt");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(dir), "shared traces not present");
        var r = execute("trace", "stats", dir.resolve("BurstGPT_1.first42rows.csv").toString());
        assertEquals(0, r.code(), r.err());
        var ours = servelab.runtime.record.Json.MAPPER.readTree(r.out());
        var reference = servelab.runtime.record.Json.MAPPER.readTree(dir.resolve("stats.json").toFile()).get(0);
        assertSame(reference, ours, "");
    }

    /** Every key of the reference is in ours with the same value (numbers to 1e-9 relative). */
    private static void assertSame(com.fasterxml.jackson.databind.JsonNode reference,
                                   com.fasterxml.jackson.databind.JsonNode ours, String path) {
        for (var it = reference.fieldNames(); it.hasNext(); ) {
            var key = it.next();
            var expected = reference.get(key);
            var actual = ours.get(key);
            assertTrue(actual != null, "missing key " + path + key);
            if (expected.isObject()) assertSame(expected, actual, path + key + ".");
            else if (expected.isNumber()) {
                assertEquals(expected.asDouble(), actual.asDouble(), 1e-9 * Math.max(1, Math.abs(expected.asDouble())), path + key);
            } else assertEquals(expected.asText(), actual.asText(), path + key);
        }
    }

    @Test
    void importVllmWritesARunFolderThatLoads() throws Exception {
        var fixture = Path.of(getClass().getResource("/servelab/runtime/record/vllm-bench-serve-detailed.json").toURI());
        var out = work.resolve("vllm");
        var r = execute("import", "vllm", fixture.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("imported "), r.out());
        assertTrue(servelab.runtime.report.RunResults.load(out).requests().longs("request_id").length > 0);
    }

    @Test
    void everyCommandHasHelp() {
        for (var command : new String[] {"demo", "run", "plugins", "ctl", "trace", "cache", "import", "test"}) {
            var r = execute(command, "--help");
            assertEquals(0, r.code(), command);
            assertTrue(r.out().startsWith("Usage: servelab " + command), r.out());
        }
    }
}
