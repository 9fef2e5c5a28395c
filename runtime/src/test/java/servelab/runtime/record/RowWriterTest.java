package servelab.runtime.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;

import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * The generated {@link RowWriter} of each table fills its vectors exactly as the columns' own setters, one by one, do
 * (values, nulls and lists), and one writer is made per list of columns.
 */
class RowWriterTest {

    @Test
    void everyTableIsFilledAsItsColumnsFillItOneByOne() {
        var spec = new IterationRow.Spec(2, 5, 3, new long[] {2, 2, 1}, new long[] {2, 1, 0});
        var host = new IterationRow.HostKv(8, 4, 1, 2, 1, 1, 0);
        var iterations = List.of(Rows.iteration(0, 1.0, 2.5), Rows.iteration(1, 2.5, 4.0),
                new IterationRow(2, 1, Rows.ms(4), Rows.ms(7), 3, 1, 2, 30, 2, 1, 3, 9, 16, 0, 50, 6, 30, 16, 1, 900,
                        "sjf@1.0.0", "continuous@1.0.0", host, spec));
        var requests = List.of(Rows.ok(1, 0, 5, 9, 14), Rows.failed(2, 3, "kv: no blocks"), Rows.ok(3, 4))
                .stream().map(r -> new TableColumns.RequestEntry(r, RequestMetrics.of(r, Slo.NONE))).toList();
        var events = List.of(Rows.swap(1, 0), new EventRow(Rows.ms(2), -1, -1, "fault", "batcher", "a", "b", "why"));
        var cluster = List.of(new ClusterRow(Rows.ms(1), 0, "all", 3, 2, 5, 10, 16, 100, 40, 7, Rows.ms(1), -1),
                new ClusterRow(Rows.ms(2), -1, "all", 0, 0, 0, 0, 0, 0, 0, 0, Rows.ms(1), 0));

        assertFilledAlike(ResultTable.ITERATIONS, TableColumns.iterations(), iterations);
        assertFilledAlike(ResultTable.REQUESTS, TableColumns.requests(), requests);
        assertFilledAlike(ResultTable.EVENTS, TableColumns.events(), events);
        assertFilledAlike(ResultTable.CLUSTER, TableColumns.cluster(), cluster);
    }

    @Test
    void oneWriterIsMadePerListOfColumns() {
        assertSame(RowWriters.of(TableColumns.iterations()), RowWriters.of(TableColumns.iterations()));
        assertNotSame(RowWriters.of(TableColumns.iterations()), RowWriters.of(TableColumns.events()));
    }

    private static <R> void assertFilledAlike(ResultTable table, List<Column<R>> columns, List<R> rows) {
        try (var allocator = new RootAllocator();
             var generated = VectorSchemaRoot.create(table.schema(), allocator);
             var oneByOne = VectorSchemaRoot.create(table.schema(), allocator)) {
            var writer = RowWriters.of(columns);
            var vectors = generated.getFieldVectors().toArray(FieldVector[]::new);
            var targets = new Object[columns.size()];
            var ownTargets = new Object[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                targets[c] = columns.get(c).target(vectors[c], rows.size());
                ownTargets[c] = columns.get(c).target(oneByOne.getVector(c), rows.size());
            }
            for (int i = 0; i < rows.size(); i++) {
                writer.write(targets, i, rows.get(i));
                for (int c = 0; c < columns.size(); c++) {
                    columns.get(c).setter().set(ownTargets[c], i, rows.get(i));
                }
            }
            for (int c = 0; c < columns.size(); c++) {
                var stage = columns.get(c).stage();
                if (stage == null) continue;
                stage.flush(targets[c], vectors[c], rows.size());
                stage.flush(ownTargets[c], oneByOne.getVector(c), rows.size());
            }
            generated.setRowCount(rows.size());
            oneByOne.setRowCount(rows.size());
            assertEquals(oneByOne.contentToTSVString(), generated.contentToTSVString(), table.tableName());
            assertEquals(columns.size(), vectors.length, table.tableName());
        }
    }
}
