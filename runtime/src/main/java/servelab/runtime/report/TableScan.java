package servelab.runtime.report;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.Set;

import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Field;

import servelab.runtime.record.ResultTable;

/**
 * A result table read one record batch at a time, each batch handed on as a {@link Table} of the chosen columns
 * only, so a pass over a run of millions of requests holds one batch (4,096 rows as the recorder cuts them) and
 * never the rest of the file. Each {@link #forEach} reads the file again: a computation that needs two passes
 * (exact percentiles of more values than fit in memory, {@link ManyValues}) asks for two.
 *
 * <p>The table is the closed run's {@code .arrow} file, or, for a killed run, its {@code .arrows} stream up to
 * the last complete batch (as {@link RunResults#load} reads it).
 */
public final class TableScan {

    /** Something that wants every batch of a table, in order. */
    @FunctionalInterface
    public interface Batches {
        /** Hands each batch (a table of the batch's rows) to {@code batch}, in file order. */
        void forEach(BatchConsumer batch) throws IOException;
    }

    /** Takes one batch; may throw what reading further batches would. */
    @FunctionalInterface
    public interface BatchConsumer {
        void accept(Table batch) throws IOException;
    }

    private final ResultTable kind;
    private final Path file;
    private final boolean stream;
    private final Set<String> columns;

    private TableScan(ResultTable kind, Path file, boolean stream, Set<String> columns) {
        this.kind = kind;
        this.file = file;
        this.stream = stream;
        this.columns = columns;
    }

    /**
     * The {@code kind} table of {@code runDir}, reading only {@code columns} (a column the file lacks, one added to
     * the schema later, is simply absent from the batches); empty when the folder has neither file nor stream.
     */
    public static Optional<TableScan> of(Path runDir, ResultTable kind, String... columns) {
        Path file = runDir.resolve(kind.fileName());
        if (Files.exists(file)) return Optional.of(new TableScan(kind, file, false, Set.of(columns)));
        Path stream = runDir.resolve(kind.streamFileName());
        if (Files.exists(stream)) return Optional.of(new TableScan(kind, stream, true, Set.of(columns)));
        return Optional.empty();
    }

    /** The scan as {@link Batches}, for computations that take either a scan or a loaded table. */
    public Batches batches() {
        return this::forEach;
    }

    /** The batches of a loaded table: the whole table, as one batch. */
    public static Batches of(Table loaded) {
        return batch -> batch.accept(loaded);
    }

    /**
     * Reads the table again, batch by batch.
     *
     * @throws InvalidResultsException when the file is not this table or a batch of a closed run cannot be read
     */
    public void forEach(BatchConsumer batch) throws IOException {
        try (var allocator = new RootAllocator();
             var channel = FileChannel.open(file, StandardOpenOption.READ);
             ArrowReader reader = stream ? new ArrowStreamReader(channel, allocator)
                     : new ArrowFileReader(channel, allocator)) {
            VectorSchemaRoot root;
            try {
                root = reader.getVectorSchemaRoot();
            } catch (IOException | RuntimeException e) {
                if (stream) return; // killed as it started: an empty table
                throw new InvalidResultsException(file, "not a complete Arrow IPC file: " + e.getMessage(), e);
            }
            var all = RunResults.checkedHolders(kind, root.getSchema(), file);
            var types = new LinkedHashMap<String, String>();
            var fields = new ArrayList<Field>();
            for (var f : root.getSchema().getFields()) {
                if (all.containsKey(f.getName()) && columns.contains(f.getName())) {
                    types.put(f.getName(), Table.typeName(f));
                    fields.add(f);
                }
            }
            long rows = 0;
            while (true) {
                try {
                    if (!reader.loadNextBatch()) break;
                } catch (IOException | RuntimeException e) {
                    if (stream) break; // the kill cut this batch short, as RunResults reads it
                    throw new InvalidResultsException(file, "record batch after row " + rows + " cannot be read"
                            + " (the file is truncated or damaged): " + e.getMessage(), e);
                }
                var holders = Table.holders(fields);
                holders.forEach((name, holder) -> holder.append(root.getVector(name)));
                rows += root.getRowCount();
                batch.accept(new Table(kind, file, root.getRowCount(), holders, types));
            }
        }
    }
}
