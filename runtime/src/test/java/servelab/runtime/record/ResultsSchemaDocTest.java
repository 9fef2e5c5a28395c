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

    /** A column the document says is never null ("never", "no") is not nullable in the files, and the reverse. */
    @Test
    void schemaDocumentSaysWhichColumnsCanBeNull() throws IOException {
        var doc = Files.readAllLines(docPath());
        var wrong = new ArrayList<String>();
        for (var table : ResultTable.values()) {
            var nullWhen = documentedNullWhen(doc, table.tableName());
            for (var field : table.schema().getFields()) {
                String when = nullWhen.get(field.getName());
                boolean documentedNever = when.equals("never") || when.equals("no");
                if (documentedNever == field.isNullable()) {
                    wrong.add(table.tableName() + "." + field.getName() + ": nullable " + field.isNullable()
                            + ", documented null when '" + when + "'");
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    /** Each column's "null when" cell under the table's heading. */
    private static java.util.Map<String, String> documentedNullWhen(List<String> doc, String table) {
        var cells = new java.util.HashMap<String, String>();
        boolean inSection = false;
        for (String line : doc) {
            if (line.startsWith("## ")) inSection = line.equals("## " + table);
            else if (inSection && ROW.matcher(line).find()) {
                String[] parts = line.split("\\|");
                cells.put(parts[1].trim().replace("`", ""), parts[3].trim());
            }
        }
        return cells;
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
