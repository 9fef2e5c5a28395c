package servelab.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;

/** Reads sweep.arrow into rows of column name to value, for assertions. */
final class SweepTables {
    private SweepTables() {}

    static List<Map<String, Object>> rows(Path sweepDir) throws IOException {
        var rows = new ArrayList<Map<String, Object>>();
        try (var allocator = new RootAllocator();
             var channel = Files.newByteChannel(sweepDir.resolve("sweep.arrow"));
             var reader = new ArrowFileReader(channel, allocator)) {
            while (reader.loadNextBatch()) {
                var root = reader.getVectorSchemaRoot();
                for (int r = 0; r < root.getRowCount(); r++) {
                    var row = new LinkedHashMap<String, Object>();
                    for (var v : root.getFieldVectors()) {
                        var value = v.getObject(r);
                        row.put(v.getName(), value == null ? null : value instanceof org.apache.arrow.vector.util.Text t
                                ? t.toString() : value);
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }
}
