package servelab.runtime.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

import servelab.runtime.record.ResultTable;

/**
 * One loaded result table: columns by name, as plain Java arrays (copies, so callers may change them). Column
 * names and meanings are in runtime/RESULTS-SCHEMA.md.
 *
 * {@snippet :
 * var requests = RunResults.load(dir).requests();
 * double[] ttft = requests.doubles("ttft_ms");        // NaN where null (failed requests)
 * List<double[]> itl = requests.doubleLists("itl_ms"); // one array of gaps per request
 * }
 */
public final class Table {

    private final ResultTable kind;
    private final Path file;
    private final int rowCount;
    private final Map<String, ColumnData> columns;
    private final Map<String, String> types;

    Table(ResultTable kind, Path file, int rowCount, Map<String, ColumnData> columns, Map<String, String> types) {
        this.kind = kind;
        this.file = file;
        this.rowCount = rowCount;
        this.columns = columns;
        this.types = types;
    }

    public ResultTable kind() {
        return kind;
    }

    /** The file it was read from ({@code .arrow}, or {@code .arrows} for a killed run). */
    public Path file() {
        return file;
    }

    public int rowCount() {
        return rowCount;
    }

    /** Column names in file order. */
    public List<String> columnNames() {
        return List.copyOf(columns.keySet());
    }

    public boolean has(String column) {
        return columns.containsKey(column);
    }

    /** The column's Arrow type as Arrow JS prints it: Int64, Int32, Float64, Bool, Utf8, List&lt;Float64&gt;. */
    public String typeOf(String column) {
        get(column);
        return types.get(column);
    }

    /** A numeric or boolean column as doubles (true = 1); NaN where null. */
    public double[] doubles(String column) {
        return switch (get(column)) {
            case ColumnData.Doubles d -> Arrays.copyOf(d.values, rowCount);
            case ColumnData.Longs l -> {
                var out = new double[rowCount];
                for (int i = 0; i < rowCount; i++) out[i] = l.nulls[i] ? Double.NaN : l.values[i];
                yield out;
            }
            case ColumnData.Bools b -> {
                var out = new double[rowCount];
                for (int i = 0; i < rowCount; i++) out[i] = b.values[i] < 0 ? Double.NaN : b.values[i];
                yield out;
            }
            case ColumnData.Strings s -> throw wrongKind(column, "numeric");
            case ColumnData.Lists l -> throw wrongKind(column, "numeric");
        };
    }

    /** An Int32 or Int64 column; -1 where null (never reached, or not known: the row records' convention). */
    public long[] longs(String column) {
        if (get(column) instanceof ColumnData.Longs l) return Arrays.copyOf(l.values, rowCount);
        throw wrongKind(column, "integer");
    }

    /** Where the column is null. */
    public boolean[] nulls(String column) {
        var data = get(column);
        var out = new boolean[rowCount];
        for (int i = 0; i < rowCount; i++) out[i] = data.isNull(i);
        return out;
    }

    /** A Utf8 column. */
    public List<String> strings(String column) {
        if (get(column) instanceof ColumnData.Strings s) return List.of(Arrays.copyOf(s.values, rowCount));
        throw wrongKind(column, "text");
    }

    /** A List&lt;Float64&gt; column; an empty array where null (see {@link #nulls}). */
    public List<double[]> doubleLists(String column) {
        var out = new ArrayList<double[]>(rowCount);
        for (Object xs : lists(column, "List<Float64>")) out.add(xs == null ? new double[0] : ((double[]) xs).clone());
        return out;
    }

    /** A List&lt;Int64&gt; column; an empty array where null (see {@link #nulls}). */
    public List<long[]> longLists(String column) {
        var out = new ArrayList<long[]>(rowCount);
        for (Object xs : lists(column, "List<Int64>")) out.add(xs == null ? new long[0] : ((long[]) xs).clone());
        return out;
    }

    /**
     * Each value of the List&lt;Float64&gt; {@code column} in the rows {@code rows} accepts, in row order, read in
     * place: the summary's passes over hundreds of millions of ITL gaps copy none of them.
     */
    void forEachListValue(String column, java.util.function.IntPredicate rows, java.util.function.DoubleConsumer out) {
        forEachList(column, rows, xs -> {
            for (double x : xs) out.accept(x);
        });
    }

    /** Each list of the List&lt;Float64&gt; {@code column} in the rows {@code rows} accepts, in row order, not copied. */
    void forEachList(String column, java.util.function.IntPredicate rows, java.util.function.Consumer<double[]> out) {
        if (!(get(column) instanceof ColumnData.Lists l) || !types.get(column).equals("List<Float64>")) {
            throw wrongKind(column, "List<Float64>");
        }
        for (int i = 0; i < rowCount; i++) {
            if (l.values[i] == null || !rows.test(i)) continue;
            out.accept((double[]) l.values[i]);
        }
    }

    private Object[] lists(String column, String type) {
        if (get(column) instanceof ColumnData.Lists l && types.get(column).equals(type)) {
            return Arrays.copyOf(l.values, rowCount);
        }
        throw wrongKind(column, type);
    }

    private ColumnData get(String column) {
        var data = columns.get(column);
        if (data == null) {
            throw new IllegalArgumentException("no column '" + column + "' in " + file.getFileName() + "; columns: "
                    + String.join(", ", columns.keySet()));
        }
        return data;
    }

    private IllegalArgumentException wrongKind(String column, String wanted) {
        var ofKind = new ArrayList<String>();
        for (var e : columns.entrySet()) {
            if (switch (wanted) {
                case "numeric" -> e.getValue() instanceof ColumnData.Longs || e.getValue() instanceof ColumnData.Doubles
                        || e.getValue() instanceof ColumnData.Bools;
                case "integer" -> e.getValue() instanceof ColumnData.Longs;
                case "text" -> e.getValue() instanceof ColumnData.Strings;
                default -> types.get(e.getKey()).equals(wanted);
            }) ofKind.add(e.getKey());
        }
        return new IllegalArgumentException("column '" + column + "' of " + file.getFileName() + " is "
                + types.get(column) + ", not " + wanted + "; " + wanted + " columns: " + String.join(", ", ofKind));
    }

    /** Arrow JS's name for a field's type (what {@code String(field.type)} prints there). */
    static String typeName(Field field) {
        return switch (field.getType()) {
            case ArrowType.Int i -> (i.getIsSigned() ? "Int" : "Uint") + i.getBitWidth();
            case ArrowType.FloatingPoint f -> switch (f.getPrecision()) {
                case HALF -> "Float16";
                case SINGLE -> "Float32";
                case DOUBLE -> "Float64";
            };
            case ArrowType.Utf8 u -> "Utf8";
            case ArrowType.Bool b -> "Bool";
            case ArrowType.List l -> "List<" + typeName(field.getChildren().getFirst()) + ">";
            default -> field.getType().toString();
        };
    }

    /**
     * Empty column holders for a schema's fields, in order. A column of a type no results table uses (only possible
     * for a column a later ServeLab added) is left out.
     */
    static Map<String, ColumnData> holders(List<Field> fields) {
        var out = new LinkedHashMap<String, ColumnData>();
        for (var f : fields) {
            ColumnData holder = switch (typeName(f)) {
                case "Int32", "Int64" -> new ColumnData.Longs();
                case "Float64" -> new ColumnData.Doubles();
                case "Bool" -> new ColumnData.Bools();
                case "Utf8" -> new ColumnData.Strings();
                case "List<Float64>", "List<Int64>" -> new ColumnData.Lists();
                default -> null;
            };
            if (holder != null) out.put(f.getName(), holder);
        }
        return out;
    }
}
