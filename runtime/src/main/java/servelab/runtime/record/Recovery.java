package servelab.runtime.record;

import java.util.Objects;

/**
 * What {@link RunRecorder#recover} made of one table of a killed run.
 *
 * @param table         the table
 * @param rows          rows in the recovered {@code .arrow} file
 * @param batches       record batches recovered
 * @param truncatedTail whether the stream ended inside a batch (or before its schema); that batch is lost
 */
public record Recovery(ResultTable table, long rows, int batches, boolean truncatedTail) {

    public Recovery {
        Objects.requireNonNull(table, "Recovery.table");
        if (rows < 0) throw new IllegalArgumentException("Recovery.rows must be >= 0, was " + rows);
        if (batches < 0) throw new IllegalArgumentException("Recovery.batches must be >= 0, was " + batches);
    }
}
