package servelab.runtime.record;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The tables of a run folder, their files and Arrow schemas. runtime/RESULTS-SCHEMA.md describes every column.
 *
 * <p>While a run goes on, each table is an Arrow IPC <em>stream</em> ({@link #streamFileName()}), one record batch
 * appended at a time so that a killed run stays readable; closing the recorder turns it into the IPC <em>file</em>
 * format ({@link #fileName()}) that pandas, polars, DuckDB and Arrow JS open by default.
 */
public enum ResultTable {
    REQUESTS("requests", TableColumns::requests),
    ITERATIONS("iterations", TableColumns::iterations),
    EVENTS("events", TableColumns::events),
    CLUSTER("cluster", TableColumns::cluster);

    /** Schema metadata key naming the table, so a file renamed to another table's name is caught. */
    public static final String TABLE_KEY = "servelab.table";
    /** Schema metadata key with {@link #SCHEMA_VERSION}. */
    public static final String VERSION_KEY = "servelab.schema_version";
    /** Bumped when a column changes type or meaning; adding a column at the end does not bump it. */
    public static final String SCHEMA_VERSION = "1";

    private final String tableName;
    private final Schema schema;

    ResultTable(String tableName, Supplier<? extends List<? extends Column<?>>> columns) {
        this.tableName = tableName;
        // insertion-ordered, so the metadata is written in the same order every time
        var metadata = new LinkedHashMap<String, String>();
        metadata.put(TABLE_KEY, tableName);
        metadata.put(VERSION_KEY, SCHEMA_VERSION);
        this.schema = new Schema(columns.get().stream().map(Column::field).toList(), metadata);
    }

    /** {@code requests}, {@code iterations}, {@code events} or {@code cluster}. */
    public String tableName() {
        return tableName;
    }

    /** The closed run's file, e.g. {@code requests.arrow} (Arrow IPC file format). */
    public String fileName() {
        return tableName + ".arrow";
    }

    /** The file a running (or killed) run appends to, e.g. {@code requests.arrows} (Arrow IPC stream format). */
    public String streamFileName() {
        return tableName + ".arrows";
    }

    public Schema schema() {
        return schema;
    }

    /** Whether {@code column} was added after the schema version was fixed, so older files may lack it. */
    public boolean isAddedLater(String column) {
        return TableColumns.ADDED_IN_VERSION_1.contains(column);
    }

    /** The table with this name, e.g. {@code "iterations"}. */
    public static Optional<ResultTable> byName(String name) {
        for (var t : values()) if (t.tableName.equals(name)) return Optional.of(t);
        return Optional.empty();
    }
}
