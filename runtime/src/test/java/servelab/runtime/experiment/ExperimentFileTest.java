package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.api.PluginKind;

class ExperimentFileTest {
    @TempDir Path work;

    private Experiment load(String yaml, String... overrides) throws Exception {
        var file = Files.writeString(work.resolve("e.yaml"), yaml);
        return ExperimentFile.load(file, List.of(overrides));
    }

    private String error(String yaml, String... overrides) {
        return assertThrows(IllegalArgumentException.class, () -> load(yaml, overrides)).getMessage()
                .replace(work.resolve("e.yaml").toString(), "e.yaml");
    }

    @Test
    void aGroupsProfileFileResolvesAgainstTheExperimentsFolderAsTheTopLevelOneDoes() throws Exception {
        var e = load("replicas: 2\nprofile: top.yaml\ncluster:\n  groups:\n    - {name: a, count: 1, profile: mine.yaml}\n"
                + "    - {name: b, count: 1, profile: llama-3-8b/a100-80gb}\n");
        assertEquals(work.resolve("top.yaml").toString(), e.profile());
        assertEquals(work.resolve("mine.yaml").toString(), e.cluster().groups().get(0).profile());
        assertEquals("llama-3-8b/a100-80gb", e.cluster().groups().get(1).profile(), "a bundled name stays a name");
    }

    @Test
    void aKeyWrittenTwiceASecondDocumentAndZeroReplicasAreRefusedNotQuietlyResolved() {
        // each was accepted: the last seed won, the second document was dropped, replicas: 0 ran one replica
        assertTrue(error("seed: 1\nseed: 2\n").contains("Duplicate field 'seed'"), error("seed: 1\nseed: 2\n"));
        assertTrue(error("name: x\n---\nseed: 2\n").contains("holds more than one YAML document"));
        assertEquals("e.yaml: replicas must be >= 1, was 0", error("replicas: 0\n"));
        // and time_scale: 0 ran unscaled
        assertEquals("e.yaml: trace.transforms.time_scale must be > 0 (0.5: twice the rate), was 0",
                error("trace: {transforms: {time_scale: 0}}\n"));
    }

    @Test
    void anchorsAndNonFiniteNumbersAreNamedAsSuch() {
        // an alias was read as the text of its name ("was 'd'"); .nan and .inf were called "not valid YAML"
        assertEquals("e.yaml: line 2, column 11: YAML anchors and aliases (&name, *name) are not read; write the values "
                + "out (or use --set, or a sweep's base for shared settings)",
                error("name: y\ndefaults: &d {count: 10}\ntrace: {synthetic: *d}\n"));
        assertEquals("e.yaml: .nan (line 1, column 20) is not a finite number: NaN and infinities are not taken; "
                + "write a number", error("slo: {ttft_ms: .nan}\n"));
        assertTrue(error("trace: {synthetic: {count: -.inf}}\n").contains("-.inf (line 1, column"),
                error("trace: {synthetic: {count: -.inf}}\n"));
    }

    @Test
    void bytesThatAreNotUtf8AreNamedByLineAndColumn() throws Exception {
        Files.write(work.resolve("e.yaml"), new byte[] {'n', 'a', 'm', 'e', ':', ' ', 'x', '\n', 'n', 'a', 'm', 'e', '2',
                ':', ' ', 'c', 'a', (byte) 0xE9, '\n'});
        var e = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(work.resolve("e.yaml"), List.of()));
        assertEquals(work.resolve("e.yaml") + ": not UTF-8 text: byte 0xE9 at line 2, column 10 (save the file as UTF-8)",
                e.getMessage());
    }

    @Test
    void anEmptyFileIsTheDefaultExperiment() throws Exception {
        var e = load("");
        assertEquals("run", e.name());
        assertEquals("llama-3-8b/h100-80gb", e.profile());
        assertEquals(Map.ofEntries(Map.entry(PluginKind.SCHEDULER, "fcfs"), Map.entry(PluginKind.BATCHER, "continuous"),
                Map.entry(PluginKind.KV_ALLOCATOR, "paged"), Map.entry(PluginKind.PREFIX_CACHE, "none"),
                Map.entry(PluginKind.EVICTION, "lru"), Map.entry(PluginKind.SPECULATOR, "none"),
                Map.entry(PluginKind.ROUTER, "round-robin"), Map.entry(PluginKind.ADMISSION, "accept-all"),
                Map.entry(PluginKind.RETRY, "none"), Map.entry(PluginKind.HEDGE, "none"),
                Map.entry(PluginKind.BREAKER, "none"), Map.entry(PluginKind.AUTOSCALER, "none")),
                Map.copyOf(e.pluginsByKind().entrySet().stream().collect(java.util.stream.Collectors.toMap(
                        Map.Entry::getKey, x -> x.getValue().name()))));
        assertEquals(600, e.trace().synthetic().count());
    }

    @Test
    void setOverridesNestedKeysWithTypedValues() throws Exception {
        var e = load("plugins:\n  batcher: {name: continuous}\n", "plugins.batcher.params.max_num_seqs=64",
                "seed=9", "trace.synthetic.arrivals.rate=2.5");
        assertEquals(64, e.plugins().get("batcher").params().get("max_num_seqs"));
        assertEquals(9, e.seed());
        assertEquals(2.5, e.trace().synthetic().arrivals().get("rate"));
        assertEquals("poisson", e.trace().synthetic().arrivals().get("process"), "the rest of the default stays");
    }

    @Test
    void offloadIsOffByDefaultAndTurnsOnWithAHostTier() throws Exception {
        assertEquals(new KvSpec(16, 0, 0, false), load("").kv());
        var e = load("kv: {host_blocks: 5000}\nplugins: {prefix-cache: {name: radix}}\n", "kv.offload=true");
        assertEquals(new KvSpec(16, 0, 5000, true), e.kv());
    }

    @Test
    void offloadWithoutAHostTierIsRejected() {
        assertTrue(error("kv: {offload: true}\n").contains("kv.offload needs a host tier: set kv.host_blocks > 0"));
    }

    @Test
    void aLogNormalMeanOutsideItsClampsIsRefused() throws Exception {
        // min and max came from the defaults: mean 10 gave 16.6, every request at least 16, and nothing said
        assertTrue(error("trace: {synthetic: {input: {dist: lognormal, mean: 10, sigma: 0.5}}}\n").contains(
                "trace.synthetic.input.mean 10 is outside [16, 6144], the range every draw is clamped to"));
        // a max of the user's below the defaults' mean (a tiny model's context) cuts the default shape: accepted
        load("", "trace.synthetic.input.max=200");
    }

    @Test
    void timeScaleWithATargetRateIsRefused() {
        // target_rate rescaled the arrivals after time_scale: time_scale did nothing, and nothing said so
        assertTrue(error("trace: {transforms: {time_scale: 0.5, target_rate: 10}}\n").contains(
                "trace.transforms: give time_scale (0.5) or target_rate (10.0), not both"));
    }

    @Test
    void aLogNormalWhoseClampsMoveItsMeanIsSaidOnTheConsole() {
        var notes = ExperimentTrace.clampNotes(new SyntheticSpec(100, null,
                java.util.Map.of("dist", "lognormal", "mean", 800, "sigma", 2.0, "min", 16, "max", 6144), null, 1));
        assertEquals(1, notes.size(), notes.toString());
        assertTrue(notes.getFirst().startsWith("trace.synthetic.input: a log-normal of mean 800 and sigma 2.0, clamped to "
                + "[16, 6144], has a mean of 54"), notes.getFirst());
        // the defaults' clamps barely move theirs: nothing to say
        assertEquals(java.util.List.of(), ExperimentTrace.clampNotes(SyntheticSpec.DEMO));
    }

    @Test
    void offloadWithoutAPrefixCacheIsRejected() {
        // it was accepted, and copied nothing: offload keeps what a prefix cache evicts
        assertTrue(error("kv: {host_blocks: 100, offload: true}\n").contains("kv.offload keeps the blocks the prefix "
                + "cache evicts, and plugins.prefix-cache is none"));
    }

    @Test
    void aPluginWithParamsButNoNameUsesTheKindsDefault() throws Exception {
        var e = load("plugins:\n  batcher: {params: {max_num_seqs: 8}}\n");
        assertEquals("continuous", e.plugins().get("batcher").name());
    }

    @Test
    void aKindGivenWithoutANameGetsItsDefaultPlugin() throws Exception {
        var e = load("plugins:\n  speculator: {params: {}}\n");
        assertEquals("none", e.plugins().get("speculator").name());
    }

    @Test
    void anUnknownPluginKindListsTheKinds() {
        assertEquals("e.yaml: unknown plugin kind 'schedular'; accepted: scheduler, batcher, kv-allocator, "
                + "prefix-cache, eviction, speculator, router, admission, retry, hedge, breaker, autoscaler",
                error("plugins:\n  schedular: {name: fcfs}\n"));
    }

    @Test
    void invalidYamlNamesTheLine() {
        var message = error("name: x\ntrace: [unclosed\n");
        assertTrue(message.startsWith("e.yaml: not valid YAML"), message);
        assertTrue(message.contains("line "), message);
    }

    @Test
    void anErrorASetCausedNamesTheSetNotTheFile() {
        // they said "e.yaml: unknown key 'tracee'" and "e.yaml: seed must be ...", values the file did not hold; the
        // value is named as KEY=VALUE, as a --set, a flag (--executor) or a sweep's axis gives it
        assertTrue(error("name: x\n", "tracee.file=foo").startsWith("tracee.file=foo: unknown key 'tracee'"),
                error("name: x\n", "tracee.file=foo"));
        assertTrue(error("name: x\n", "seed=abc").startsWith("seed=abc: "), error("name: x\n", "seed=abc"));
        // an error of the file's own stays the file's
        assertTrue(error("sed: 1\n", "seed=2").startsWith("e.yaml: unknown key 'sed'"), error("sed: 1\n", "seed=2"));
    }

    @Test
    void aPluginGivenAsAValueAndAMisspeltProfileNameAreSaidAsTyped() throws Exception {
        // "must be a mapping, was 'sjf'" gave no hint; a misspelt profile name was echoed as a path made of it
        assertTrue(error("", "plugins.scheduler=sjf").contains("plugins.scheduler must be a mapping of keys to values, "
                + "was 'sjf' (plugins.scheduler.name=sjf names its plugin)"), error("", "plugins.scheduler=sjf"));
        var e = load("", "profile=llama-3-8b/h100");
        assertEquals("llama-3-8b/h100", e.profile());
    }

    @Test
    void aNumberPastAWholeNumbersRangeIsNamedWithItsKey() {
        // Jackson's own "Numeric value (99999999999) out of range of int (-2147483648 - 2147483647)" reached the user
        var message = error("record: {iteration_every: 99999999999}\n");
        assertTrue(message.contains("record.iteration_every must be a whole number from -2147483648 to 2147483647, was "
                + "99999999999"), message);
    }

    @Test
    void aMalformedSetIsNamed() {
        assertEquals("--set seed: expected key=value", error("", "seed"));
        // an empty value read as null: "must be a mapping of keys to values", whatever the key
        assertEquals("--set plugins.batcher.params.max_num_seqs=: no value; leave the --set out for the default (write ''"
                + " for empty text)", error("", "plugins.batcher.params.max_num_seqs="));
        // as in a file: NaN is valid YAML, not "not valid YAML"
        assertEquals("--set seed=.nan: .nan is not a finite number: NaN and infinities are not taken; write a number",
                error("", "seed=.nan"));
    }

    @Test
    void aSetValueWithALineBreakIsTakenAsTyped() throws Exception {
        // YAML folded the carriage return into a space: the file looked for was "t x.jsonl", not the one typed
        var exp = load("", "trace.file=t\rx.jsonl");
        assertTrue(exp.trace().file().endsWith("t\rx.jsonl"), exp.trace().file());
        // a break at the end (a value read from a file, CRLF too), a block scalar, a comment: YAML's, as before
        for (var set : List.of("trace.file=sjf\n", "trace.file=sjf\r", "trace.file=sjf\r\n", "trace.file=|-\n  sjf",
                "trace.file=sjf # the file\n", "trace.file=sjf\n# the file", "trace.file=sjf\n...", "trace.file=!!str sjf")) {
            assertTrue(load("", set).trace().file().endsWith("sjf"), set);
        }
        // quoted, or a flow collection over lines, it is YAML's as before
        assertTrue(load("", "trace.file='a\n  b'").trace().file().endsWith("a b"));
        assertEquals(2, load("", "cluster.groups=[{name: a, count: 1},\n {name: b, count: 1}]").cluster().groups().size());
    }

    @Test
    void aQuotedNumberWhereANumberGoesSaysToWriteItWithoutQuotes() {
        // plugin parameters said so; slo said only "must be a number, was '1000'"
        assertEquals("e.yaml: slo.ttft_ms must be a number, was '1000' (text: write numbers and booleans without quotes)",
                error("slo:\n  ttft_ms: \"1000\"\n"));
        assertEquals("e.yaml: slo.ttft_ms must be a number, was 'fast'", error("slo:\n  ttft_ms: fast\n"));
    }

    @Test
    void aFileAndASyntheticTraceTogetherAreRejected() {
        assertEquals("e.yaml: trace: give either file or synthetic, not both",
                error("trace:\n  file: a.csv\n  synthetic: {count: 5}\n"));
    }

    @Test
    void anUnknownExecutorListsTheAvailableOnes() {
        assertTrue(error("executor: gpu\n").contains("executor 'gpu' is not available; accepted: simulated"));
    }

    @Test
    void aSwitchToNgramWithoutAModelSaysWhatARunStartedWithItSays() {
        // a ctl switch to ngram in a simulated run went on without drafts, and nothing said why
        var notes = new java.util.ArrayList<String>();
        servelab.runtime.host.HostListener listener = (type, kind, from, to, detail) -> notes.add(type + " " + detail);
        var simulated = ExperimentFile.load(null, List.of());
        simulated.switchCheck(listener).check(servelab.api.PluginKind.SPECULATOR, "ngram@1.0.0", java.util.Map.of());
        assertEquals(List.of("info " + simulated.ngramNote()), notes);
        assertTrue(simulated.ngramNote().startsWith("ngram drafts by looking up the prompt's token ids, which a simulated"));
        simulated.switchCheck(listener).check(servelab.api.PluginKind.SPECULATOR, "modeled", java.util.Map.of());
        var model = ExperimentFile.load(null, List.of("executor=model", "model.path=m.gguf"));
        model.switchCheck(listener).check(servelab.api.PluginKind.SPECULATOR, "ngram", java.util.Map.of());
        assertEquals(1, notes.size(), notes.toString()); // a model run drafts with it
    }

    @Test
    void aModelRunsGroupsRecordNoCostProfile() {
        // a model replica times its real steps; run.json named a profile it never used (even one that does not exist)
        var model = ExperimentFile.load(null, List.of("replicas=2", "executor=model", "model.path=m.gguf"));
        var groups = (List<?>) ClusterLayout.describe(model, null, r -> 1).get("groups");
        assertEquals(null, ((java.util.Map<?, ?>) groups.getFirst()).get("profile"));
        var simulated = ExperimentFile.load(null, List.of("replicas=2"));
        assertEquals("llama-3-8b/h100-80gb",
                ((java.util.Map<?, ?>) ((List<?>) ClusterLayout.describe(simulated, null, r -> 1).get("groups")).getFirst()).get("profile"));
    }
}
