package servelab.runtime.report.doc;

/** Renders a {@link Document} as GitHub-flavoured Markdown. */
final class MarkdownWriter {

    private MarkdownWriter() {
    }

    static String write(Document doc) {
        var out = new StringBuilder("# ").append(doc.title()).append("\n");
        for (var block : doc.blocks()) {
            out.append('\n');
            switch (block) {
                case Document.Heading h -> out.append("#".repeat(h.level())).append(' ').append(h.text()).append('\n');
                case Document.Paragraph p -> out.append(p.text()).append('\n');
                case Document.Bullets b -> b.items().forEach(item -> out.append("- ").append(item).append('\n'));
                case Document.Image i -> out.append("![").append(i.alt()).append("](").append(i.file()).append(")\n");
                case Document.Table t -> table(out, t);
            }
        }
        return out.toString();
    }

    private static void table(StringBuilder out, Document.Table t) {
        row(out, t.header());
        out.append('|');
        for (boolean numeric : t.numeric()) out.append(numeric ? " ---: |" : " --- |");
        out.append('\n');
        for (var row : t.rows()) row(out, row);
    }

    private static void row(StringBuilder out, java.util.List<String> cells) {
        out.append('|');
        for (var cell : cells) out.append(' ').append(cell.replace("|", "\\|").replace("\n", " ")).append(" |");
        out.append('\n');
    }
}
