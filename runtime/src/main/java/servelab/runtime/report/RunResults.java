package servelab.runtime.report;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import com.fasterxml.jackson.core.type.TypeReference;

import servelab.runtime.record.Json;
import servelab.runtime.record.ResultTable;

/**
 * The results of one run folder, read from files only: ours, or ones converted from vLLM or Vidur. Everything is
 * copied into Java arrays at load time (a run of 10k requests and 30k iterations is a few MB).
 *
 * <p>A closed run has {@code requests.arrow} (required), {@code iterations.arrow} and {@code events.arrow}
 * (absent for imported runs) and {@code run.json}. A killed run that was not recovered has {@code .arrows} streams
 * instead; they are read up to the last complete record batch and {@link #notes()} says what was cut.
 */
public final class RunResults {

    private final Path dir;
    private final Map<ResultTable, Table> tables;
    private final Map<String, Object> runInfo;
    private final List<String> notes;
    private final boolean lists;

    private RunResults(Path dir, Map<ResultTable, Table> tables, Map<String, Object> runInfo, List<String> notes,
                       boolean lists) {
        this.dir = dir;
        this.tables = tables;
        this.runInfo = runInfo;
        this.notes = notes;
        this.lists = lists;
    }

    /**
     * Loads a run folder.
     *
     * @throws InvalidResultsException naming the folder or file when the folder is not a run, a file holds another
     *                                 table or schema, or an {@code .arrow} file is truncated or not Arrow at all
     */
    public static RunResults load(Path runDir) throws IOException {
        return load(runDir, true, null);
    }

    /**
     * Loads a run folder without its list columns (a request's token times and gaps, an iteration's drafts), most of a
     * large run's memory, and of the iterations table only {@code iterationColumns} (null: all): what a report
     * needs, whose summary reads the lists from the files batch by batch instead
     * ({@link Summary#compute(RunResults, servelab.runtime.record.Slo)}).
     */
    public static RunResults loadWithoutLists(Path runDir, java.util.Set<String> iterationColumns) throws IOException {
        return load(runDir, false, iterationColumns);
    }

    private static RunResults load(Path runDir, boolean lists, java.util.Set<String> iterationColumns)
            throws IOException {
        if (Files.isRegularFile(runDir)) {
            throw new InvalidResultsException(runDir, "a file, not a run folder (give the folder that holds it)");
        }
        if (!Files.isDirectory(runDir)) throw new InvalidResultsException(runDir, "no such run folder");
        var tables = new EnumMap<ResultTable, Table>(ResultTable.class);
        var notes = new ArrayList<String>();
        try (var allocator = new RootAllocator()) {
            for (var kind : ResultTable.values()) {
                Path file = runDir.resolve(kind.fileName());
                Path stream = runDir.resolve(kind.streamFileName());
                if (Files.exists(file)) {
                    var only = kind == ResultTable.ITERATIONS ? iterationColumns : null;
                    tables.put(kind, readFile(kind, file, allocator, lists, only));
                } else if (Files.exists(stream)) {
                    var only = kind == ResultTable.ITERATIONS ? iterationColumns : null;
                    tables.put(kind, readStream(kind, stream, allocator, notes, lists, only));
                }
            }
        }
        if (!tables.containsKey(ResultTable.REQUESTS)) {
            throw new InvalidResultsException(runDir, "not a ServeLab run folder: it has no "
                    + ResultTable.REQUESTS.fileName() + " (nor " + ResultTable.REQUESTS.streamFileName()
                    + " of a killed run); it holds: " + listing(runDir));
        }
        var info = readRunJson(runDir.resolve("run.json"));
        if (info.containsKey("recovered")) notes.add(RECOVERED_NOTE);
        if (info.get("arrival_times") instanceof String arrivals && arrivals.startsWith("unknown")) {
            Object duration = info.get("vllm") instanceof Map<?, ?> vllm ? vllm.get("duration") : null;
            notes.add("imported without arrival times (" + arrivals + "): its duration and throughputs here are not "
                    + "the benchmark's" + (duration == null ? "" : "; vLLM measured a duration of " + duration + " s"));
        }
        return new RunResults(runDir, tables, info, List.copyOf(notes), lists);
    }

    /** What a report says of a run that {@code servelab recover} put together after a kill. */
    public static final String RECOVERED_NOTE = "recovered after the run was killed (run.json `recovered`): requests "
            + "in flight at the kill have no row, and up to the last second of each table may be missing";

    public Path dir() {
        return dir;
    }

    /** The requests table (always present). */
    public Table requests() {
        return tables.get(ResultTable.REQUESTS);
    }

    /** A table, if the folder has it (imported runs have only requests). */
    public Optional<Table> table(ResultTable kind) {
        return Optional.ofNullable(tables.get(kind));
    }

    /** run.json as ordered maps, lists, strings and numbers; empty when the folder has none. */
    public Map<String, Object> runInfo() {
        return runInfo;
    }

    /** Whether the list columns were loaded ({@link #loadWithoutLists} leaves them out). */
    public boolean hasLists() {
        return lists;
    }

    /** Whether every table came from a closed run's {@code .arrow} file rather than a killed run's stream. */
    public boolean isComplete() {
        return tables.values().stream().allMatch(t -> t.file().getFileName().toString().endsWith(".arrow"));
    }

    /** What was read from a killed run's streams and what was cut; empty for a complete run. */
    public List<String> notes() {
        return notes;
    }

    /** One closed table's {@code .arrow} file alone (not the whole run). */
    public static Table readTable(ResultTable kind, Path file) throws IOException {
        try (var allocator = new RootAllocator()) {
            return readFile(kind, file, allocator, true, null);
        }
    }

    private static Table readFile(ResultTable kind, Path file, BufferAllocator allocator, boolean lists,
                                  java.util.Set<String> only) throws IOException {
        try (var channel = FileChannel.open(file, StandardOpenOption.READ);
             var reader = new ArrowFileReader(channel, allocator)) {
            var root = schemaRoot(reader, file);
            var columns = kept(checkedHolders(kind, root.getSchema(), file), root.getSchema(), lists, only);
            int rows = 0;
            while (true) {
                try {
                    if (!reader.loadNextBatch()) break;
                } catch (IOException | RuntimeException e) {
                    throw new InvalidResultsException(file, "record batch after row " + rows + " cannot be read"
                            + " (the file is truncated or damaged): " + e.getMessage(), e);
                }
                rows += append(root, columns);
            }
            return new Table(kind, file, rows, columns, types(root.getSchema()));
        }
    }

    private static VectorSchemaRoot schemaRoot(ArrowReader reader, Path file) throws InvalidResultsException {
        try {
            return reader.getVectorSchemaRoot();
        } catch (IOException | RuntimeException e) {
            throw new InvalidResultsException(file, "not a complete Arrow IPC file (truncated, or not Arrow at all;"
                    + " a killed run's stream is named .arrows): " + e.getMessage(), e);
        }
    }

    private static Table readStream(ResultTable kind, Path stream, BufferAllocator allocator, List<String> notes,
                                    boolean lists, java.util.Set<String> only) throws IOException {
        try (var channel = FileChannel.open(stream, StandardOpenOption.READ);
             var reader = new ArrowStreamReader(channel, allocator)) {
            VectorSchemaRoot root;
            try {
                root = reader.getVectorSchemaRoot();
            } catch (IOException | RuntimeException e) {
                notes.add(stream.getFileName() + ": no complete schema (the run was killed as it started); empty table");
                return new Table(kind, stream, 0, Table.holders(kind.schema().getFields()), types(kind.schema()));
            }
            var columns = kept(checkedHolders(kind, root.getSchema(), stream), root.getSchema(), lists, only);
            int rows = 0;
            while (true) {
                try {
                    if (!reader.loadNextBatch()) break;
                } catch (IOException | RuntimeException e) {
                    notes.add(stream.getFileName() + ": ends inside a record batch after " + rows
                            + " rows (the run was killed); the rows of that batch are lost");
                    break;
                }
                rows += append(root, columns);
            }
            notes.add(stream.getFileName() + ": read " + rows + " rows from the stream of a run that was not closed (`servelab recover "
                        + stream.getParent() + "` makes its .arrow files)");
            return new Table(kind, stream, rows, columns, types(root.getSchema()));
        }
    }

    /** The columns to read: all, or without the lists, or {@code only} those (null: no such limit). */
    private static Map<String, ColumnData> kept(Map<String, ColumnData> columns, Schema schema, boolean lists,
                                                java.util.Set<String> only) {
        if (!lists) {
            for (var f : schema.getFields()) {
                if (f.getType() instanceof ArrowType.List) columns.remove(f.getName());
            }
        }
        if (only != null) columns.keySet().retainAll(only);
        return columns;
    }

    private static int append(VectorSchemaRoot root, Map<String, ColumnData> columns) {
        for (var e : columns.entrySet()) e.getValue().append(root.getVector(e.getKey()));
        return root.getRowCount();
    }

    /**
     * Checks that {@code actual} is {@code kind}'s schema: the table named in its metadata, and every expected
     * column with its type. Extra columns are allowed, so a later ServeLab may add columns at the end, and columns
     * added that way may be missing (a file from before them).
     */
    static Map<String, ColumnData> checkedHolders(ResultTable kind, Schema actual, Path file)
            throws InvalidResultsException {
        String table = actual.getCustomMetadata().get(ResultTable.TABLE_KEY);
        if (table != null && !table.equals(kind.tableName())) {
            throw new InvalidResultsException(file, "holds the '" + table + "' table, not '" + kind.tableName() + "'");
        }
        String version = actual.getCustomMetadata().get(ResultTable.VERSION_KEY);
        if (version != null && !version.equals(ResultTable.SCHEMA_VERSION)) {
            throw new InvalidResultsException(file, "has results schema version " + version + "; this ServeLab reads"
                    + " version " + ResultTable.SCHEMA_VERSION);
        }
        var problems = new ArrayList<String>();
        for (Field expected : kind.schema().getFields()) {
            Field found = actual.getFields().stream().filter(f -> f.getName().equals(expected.getName()))
                    .findFirst().orElse(null);
            if (found == null) {
                if (kind.isAddedLater(expected.getName())) continue;
                problems.add("missing column '" + expected.getName() + "' (" + Table.typeName(expected) + ")");
            } else if (!Table.typeName(found).equals(Table.typeName(expected))) {
                problems.add("column '" + expected.getName() + "' is " + Table.typeName(found) + ", expected "
                        + Table.typeName(expected));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidResultsException(file, "not a ServeLab " + kind.tableName() + " table: "
                    + String.join("; ", problems));
        }
        return Table.holders(actual.getFields());
    }

    private static Map<String, String> types(Schema schema) {
        var out = new LinkedHashMap<String, String>();
        for (var f : schema.getFields()) out.put(f.getName(), Table.typeName(f));
        return out;
    }

    static Map<String, Object> readRunJson(Path file) throws IOException {
        if (!Files.exists(file)) return Map.of();
        try {
            Map<String, Object> info = Json.MAPPER.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {
            });
            return info == null ? Map.of() : info;
        } catch (com.fasterxml.jackson.core.JacksonException e) { // its getMessage() carries "Source: REDACTED ..."
            throw new InvalidResultsException(file, "not a JSON object: " + Json.error(e), e);
        }
    }

    private static String listing(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            var names = files.map(p -> p.getFileName().toString()).sorted().limit(11).toList();
            if (names.isEmpty()) return "nothing";
            return names.size() > 10 ? String.join(", ", names.subList(0, 10)) + ", ..." : String.join(", ", names);
        }
    }
}
