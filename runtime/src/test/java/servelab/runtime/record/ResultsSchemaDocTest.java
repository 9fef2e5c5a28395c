package servelab.runtime.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** runtime/RESULTS-SCHEMA.md lists every column of every table, in file order, and no column that is not there. */
class ResultsSchemaDocTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9_]+)` \\|");

    @Test
    void schemaDocumentListsEveryColumnInOrder() throws IOException {
        var doc = Files.readAllLines(docPath());
        for (var table : ResultTable.values()) {
            var expected = table.schema().getFields().stream().map(f -> f.getName()).toList();
            assertEquals(expected, documentedColumns(doc, table.tableName()), table.tableName());
        }
    }

    /** Column names of the table rows under the "## <table>" heading, up to the next heading. */
    private static List<String> documentedColumns(List<String> doc, String table) {
        var names = new ArrayList<String>();
        boolean inSection = false;
        for (String line : doc) {
            if (line.startsWith("## ")) inSection = line.equals("## " + table);
            else if (inSection) {
                var m = ROW.matcher(line);
                if (m.find()) names.add(m.group(1));
            }
        }
        return names;
    }

    private static Path docPath() {
        var inModule = Path.of("RESULTS-SCHEMA.md");
        return Files.exists(inModule) ? inModule : Path.of("runtime/RESULTS-SCHEMA.md");
    }
}
