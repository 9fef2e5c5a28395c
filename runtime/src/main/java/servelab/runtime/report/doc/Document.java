package servelab.runtime.report.doc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A report as a list of blocks, written twice from the same blocks: as Markdown (reads on GitHub and in a
 * terminal) and as a small self-contained HTML page (opens in a browser; images are the PNG files beside it).
 * Text may hold {@code `code`} spans; nothing else is interpreted.
 *
 * {@snippet :
 * var doc = new Document("ServeLab report")
 *         .paragraph("Runs: `runs/fcfs`, `runs/sjf`.")
 *         .table(List.of("run", "req/s"), List.of(List.of("fcfs", "12.9"), List.of("sjf", "13.1")))
 *         .image("cdf-ttft.png", "CDF of TTFT");
 * doc.write(dir, "report");   // report.md and report.html
 * }
 */
public final class Document {

    /** The kinds of block, each rendered by {@link MarkdownWriter} and {@link HtmlWriter}. */
    sealed interface Block permits Heading, Paragraph, Table, Image, Bullets {}

    record Heading(int level, String text) implements Block {}

    record Paragraph(String text) implements Block {}

    /** A table; {@code numeric[i]} right-aligns column i. */
    record Table(List<String> header, List<List<String>> rows, boolean[] numeric) implements Block {}

    record Image(String file, String alt) implements Block {}

    record Bullets(List<String> items) implements Block {}

    private final String title;
    private final List<Block> blocks = new ArrayList<>();

    public Document(String title) {
        this.title = Objects.requireNonNull(title, "Document.title");
    }

    public String title() {
        return title;
    }

    /** A section heading, level 2 (under the title) or deeper. */
    public Document heading(int level, String text) {
        if (level < 2 || level > 4) throw new IllegalArgumentException("heading level must be 2 to 4, was " + level);
        blocks.add(new Heading(level, text));
        return this;
    }

    public Document paragraph(String text) {
        blocks.add(new Paragraph(text));
        return this;
    }

    public Document bullets(List<String> items) {
        if (!items.isEmpty()) blocks.add(new Bullets(List.copyOf(items)));
        return this;
    }

    /**
     * A table; every row has as many cells as the header. Columns whose cells are all numbers (or {@code n/a}, or
     * empty) are right-aligned.
     */
    public Document table(List<String> header, List<List<String>> rows) {
        var numeric = new boolean[header.size()];
        for (int c = 0; c < header.size(); c++) {
            numeric[c] = !rows.isEmpty();
            for (int r = 0; r < rows.size(); r++) {
                var row = rows.get(r);
                if (row.size() != header.size()) {
                    throw new IllegalArgumentException("table row " + (r + 1) + " has " + row.size() + " cells, the header "
                            + header.size());
                }
                numeric[c] &= isNumber(row.get(c));
            }
        }
        blocks.add(new Table(List.copyOf(header), rows.stream().map(List::copyOf).toList(), numeric));
        return this;
    }

    /** An image file, relative to the report's folder. */
    public Document image(String file, String alt) {
        blocks.add(new Image(file, alt));
        return this;
    }

    List<Block> blocks() {
        return blocks;
    }

    public String toMarkdown() {
        return MarkdownWriter.write(this);
    }

    public String toHtml() {
        return HtmlWriter.write(this);
    }

    /** Writes {@code NAME.md} and {@code NAME.html} into {@code dir}. */
    public void write(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".md"), toMarkdown());
        Files.writeString(dir.resolve(name + ".html"), toHtml());
    }

    private static boolean isNumber(String cell) {
        String s = cell.strip().replace(",", "").replaceAll("[x%]$", "");
        if (s.isEmpty() || s.equals("n/a")) return true;
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
