package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Misconfigurations that used to be accepted silently are refused, naming the key as the YAML wrote it. */
class ExperimentValidationTest {
    @TempDir Path work;

    private String error(String yaml) throws Exception {
        var file = Files.writeString(work.resolve("e.yaml"), yaml);
        return assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(file, List.of())).getMessage()
                .replace(file.toString(), "e.yaml");
    }

    @Test
    void aMisspelledKeyOfALengthDistributionIsRefused() throws Exception {
        assertEquals("e.yaml: unknown key trace.synthetic.input.meen for dist lognormal; accepted there: dist, mean, "
                + "sigma, min, max", error("trace: {synthetic: {input: {meen: 800}}}\n"));
    }

    @Test
    void aKeyTheArrivalProcessDoesNotReadIsRefused() throws Exception {
        assertEquals("e.yaml: unknown key trace.synthetic.arrivals.cv for process poisson; accepted there: process, rate",
                error("trace: {synthetic: {arrivals: {process: poisson, rate: 2, cv: 3}}}\n"));
    }

    @Test
    void syntheticValuesAreCheckedWhenTheFileIsReadWithTheirYamlNames() throws Exception {
        assertEquals("e.yaml: trace.synthetic.input.max must be a whole number, was 2.5",
                error("trace: {synthetic: {input: {dist: uniform, min: 1, max: 2.5}}}\n"));
        assertEquals("e.yaml: trace.synthetic.arrivals.cv must be in [0.01, 100.0], was 0.0",
                error("trace: {synthetic: {arrivals: {process: gamma, rate: 2, cv: 0}}}\n"));
        assertEquals("e.yaml: trace.synthetic.count must be >= 1, was 0", error("trace: {synthetic: {count: 0}}\n"));
        assertEquals("e.yaml: trace.synthetic.tenants must be 1..1000000, was 2147483647",
                error("trace: {synthetic: {count: 20, tenants: 2147483647}}\n"));
        // more tenants than requests is no error (a sweep over count had stopped on it): some get no request
        var few = Files.writeString(work.resolve("few.yaml"), "trace: {synthetic: {count: 4, tenants: 8}}\n");
        assertEquals(8, ExperimentFile.load(few, List.of()).trace().synthetic().tenants());
        // in the generator's own words, naming no key: "LogNormal.median must be finite and > 0, was 0.0"
        assertEquals("e.yaml: trace.synthetic.input.sigma must be in [0.0, 10.0], was 50.0",
                error("trace: {synthetic: {input: {sigma: 50}}}\n"));
        // on periods that almost never hold an arrival: the generator switched periods for ever
        assertTrue(error("trace: {synthetic: {arrivals: {process: on-off, rate_on: 10, rate_off: 0, mean_on_s: 1e-300, "
                + "mean_off_s: 1}}}\n").startsWith("e.yaml: trace.synthetic.arrivals: rate_on * mean_on_s + rate_off * "
                + "mean_off_s must be at least 1.0E-6 arrivals per on-off cycle, was 1.0E-299"));
    }

    @Test
    void aWrittenZeroBlockSizeIsRefusedWhileAMissingOneIsTheDefault() throws Exception {
        assertEquals("e.yaml: kv.block_size must be >= 1, was 0", error("kv: {block_size: 0}\n"));
        var file = Files.writeString(work.resolve("ok.yaml"), "kv: {blocks: 100}\n");
        assertEquals(16, ExperimentFile.load(file, List.of()).kv().blockSize());
    }

    @Test
    void numbersWrittenAsTextAreRefusedInsteadOfConverted() throws Exception {
        assertEquals("e.yaml: plugins.batcher.params.max_num_seqs is the text '128'; write numbers and booleans without "
                + "quotes", error("plugins: {batcher: {name: continuous, params: {max_num_seqs: \"128\"}}}\n"));
        assertEquals("e.yaml: cluster.groups[1].plugins.batcher.params.max_num_seqs is the text '8'; write numbers and "
                + "booleans without quotes", error("replicas: 2\ncluster: {groups: [{name: a, count: 1}, {name: b, count: 1, "
                + "plugins: {batcher: {name: continuous, params: {max_num_seqs: \"8\"}}}}]}\n"));
        assertEquals("e.yaml: kv.blocks must be a whole number, was '12' (text: write numbers and booleans without quotes)",
                error("kv: {blocks: \"12\"}\n"));
        assertEquals("e.yaml: seed must be a whole number, was 1.5", error("seed: 1.5\n"));
    }

    @Test
    void typeErrorsUseTheFilesWordsNotJacksons() throws Exception {
        assertEquals("e.yaml: kv.blocks must be a whole number, was 'many'", error("kv: {blocks: many}\n"));
        assertEquals("e.yaml: kv must be a mapping of keys to values, was '3'", error("kv: 3\n"));
        assertEquals("e.yaml: slo.ttft_ms must be a number of milliseconds >= 0, was -1.0", error("slo: {ttft_ms: -1}\n"));
        // an infinite draft cost overflowed each step's time, which then cost 1 ns: speculation looked free
        assertEquals("e.yaml: speculation.draft_cost must be in [0, 1000], was 1.0E13",
                error("speculation: {draft_cost: 1e13}\n"));
        var infinite = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ExperimentFile.load(null, java.util.List.of("speculation.draft_cost=Infinity")));
        assertTrue(infinite.getMessage().contains("speculation.draft_cost"), infinite.getMessage());
    }
}
