package servelab.runtime.report.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.host.TestBundles;
import servelab.runtime.record.Slo;
import servelab.runtime.report.NamedRun;
import servelab.runtime.report.RunMetrics;

/** The Runs table of a comparison shows the parameters that differ, not every default each run.json records. */
class RunTablesTest {
    @TempDir Path work;

    @Test
    void aComparisonShowsOnlyTheParametersThatDiffer() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        for (int seqs : new int[] {8, 32}) {
            ExperimentRunner.run(ExperimentFile.load(null, List.of("trace.synthetic.count=20", "plugins.batcher.name=continuous",
                    "plugins.batcher.params.max_num_seqs=" + seqs)), work.resolve("s" + seqs),
                    new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        }
        var runs = NamedRun.load(List.of(work.resolve("s8"), work.resolve("s32")));
        var metrics = runs.stream().map(r -> RunMetrics.of(r.name(), r.results(), Slo.NONE)).toList();
        var table = RunTables.plugins(runs, metrics);
        int batcher = table.header().indexOf("batcher");
        assertEquals("continuous@1.0.0 (max_num_seqs=8)", table.rows().get(0).get(batcher));
        assertEquals("continuous@1.0.0 (max_num_seqs=32)", table.rows().get(1).get(batcher));
        // and a run alone shows all it ran with
        var alone = NamedRun.load(List.of(work.resolve("s8")));
        var one = RunTables.plugins(alone, List.of(RunMetrics.of("s8", alone.getFirst().results(), Slo.NONE)));
        var cell = one.rows().getFirst().get(one.header().indexOf("batcher"));
        org.junit.jupiter.api.Assertions.assertTrue(cell.contains("max_num_seqs=8") && cell.contains("chunked_prefill="), cell);
    }
}
