package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import servelab.runtime.host.TestBundles;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.RunResults;

/**
 * When a change adds columns to a table, the golden hashes change although no behaviour did. This check proves
 * it before the hashes are updated: every column of a baseline run (written by the code before the change, e.g.
 * {@code ./servelab run --set ... --out BASE/NAME} on the previous commit) holds the same values, nulls and type
 * in today's run. Runs only with {@code -Dservelab.golden.baseline=BASE} (one folder per golden, named as
 * {@link #folder}).
 */
class GoldenColumnsTest {
    private static final String BASE = System.getProperty("servelab.golden.baseline", "");

    @TempDir Path work;

    static java.util.List<GoldenRunsTest.Golden> goldens() {
        return GoldenRunsTest.goldens();
    }

    static String folder(GoldenRunsTest.Golden golden) {
        return golden.name().replaceAll("[^A-Za-z0-9]+", "-");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void everyBaselineColumnIsValueIdentical(GoldenRunsTest.Golden golden) throws Exception {
        assumeTrue(!BASE.isEmpty(), "no -Dservelab.golden.baseline");
        var baseDir = Path.of(BASE).resolve(folder(golden));
        assumeTrue(Files.isDirectory(baseDir), "no baseline run " + baseDir);
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var result = ExperimentRunner.run(ExperimentFile.load(null, golden.overrides()), work.resolve("run"),
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        var before = RunResults.load(baseDir);
        var now = RunResults.load(result.runDir());
        for (var kind : java.util.List.of(ResultTable.REQUESTS, ResultTable.ITERATIONS, ResultTable.EVENTS)) {
            var old = before.table(kind).orElseThrow();
            var fresh = now.table(kind).orElseThrow();
            assertEquals(old.rowCount(), fresh.rowCount(), golden + " " + kind + " rows");
            for (var column : old.columnNames()) {
                String where = golden + " " + kind.tableName() + "." + column;
                assertEquals(old.typeOf(column), fresh.typeOf(column), where + " type");
                assertArrayEquals(old.nulls(column), fresh.nulls(column), where + " nulls");
                switch (old.typeOf(column)) {
                    case "Utf8" -> assertEquals(old.strings(column), fresh.strings(column), where);
                    case "List<Float64>" -> assertArrayEquals(old.doubleLists(column).toArray(),
                            fresh.doubleLists(column).toArray(), where);
                    case "List<Int64>" -> assertArrayEquals(old.longLists(column).toArray(),
                            fresh.longLists(column).toArray(), where);
                    default -> assertArrayEquals(old.doubles(column), fresh.doubles(column), where);
                }
            }
        }
    }
}
