package servelab.runtime.report;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** Arrow files that ServeLab did not write. */
final class ForeignArrow {

    private ForeignArrow() {
    }

    /** An empty table of {@code kind}'s schema without the columns added after its version was fixed. */
    static void writeWithoutLaterColumns(Path file, servelab.runtime.record.ResultTable kind) throws IOException {
        var fields = kind.schema().getFields().stream().filter(f -> !kind.isAddedLater(f.getName())).toList();
        var schema = new Schema(fields, kind.schema().getCustomMetadata());
        try (var allocator = new RootAllocator();
             var root = VectorSchemaRoot.create(schema, allocator);
             var ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.WRITE);
             var writer = new ArrowFileWriter(root, null, ch)) {
            root.setRowCount(0);
            writer.start();
            writer.writeBatch();
            writer.end();
        }
    }

    static void writeOneIntColumn(Path file, String column) throws IOException {
        var schema = new Schema(List.of(Field.nullable(column, new ArrowType.Int(32, true))));
        try (var allocator = new RootAllocator();
             var root = VectorSchemaRoot.create(schema, allocator);
             var ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             var writer = new ArrowFileWriter(root, null, ch)) {
            ((IntVector) root.getVector(column)).setSafe(0, 1);
            root.setRowCount(1);
            writer.start();
            writer.writeBatch();
            writer.end();
        }
    }
}
