package servelab.runtime.report.doc;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Renders a {@link Document} as one HTML page with its own small stylesheet and no scripts. */
final class HtmlWriter {
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");
    private static final String STYLE = """
            body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
            th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; }
            th { background: #f3f3f3; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            img { max-width: 100%; display: block; margin: 1em 0; }
            code { background: #f3f3f3; padding: 0 0.2em; }
            """;

    private HtmlWriter() {
    }

    static String write(Document doc) {
        var out = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(doc.title())).append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n")
                .append("<h1>").append(escape(doc.title())).append("</h1>\n");
        for (var block : doc.blocks()) {
            switch (block) {
                case Document.Heading h -> out.append("<h").append(h.level()).append('>').append(inline(h.text()))
                        .append("</h").append(h.level()).append(">\n");
                case Document.Paragraph p -> out.append("<p>").append(inline(p.text())).append("</p>\n");
                case Document.Bullets b -> {
                    out.append("<ul>\n");
                    b.items().forEach(item -> out.append("<li>").append(inline(item)).append("</li>\n"));
                    out.append("</ul>\n");
                }
                case Document.Image i -> out.append("<img src=\"").append(escape(i.file())).append("\" alt=\"")
                        .append(escape(i.alt())).append("\">\n");
                case Document.Table t -> table(out, t);
            }
        }
        return out.append("</body>\n</html>\n").toString();
    }

    private static void table(StringBuilder out, Document.Table t) {
        out.append("<table>\n<tr>");
        t.header().forEach(h -> out.append("<th>").append(inline(h)).append("</th>"));
        out.append("</tr>\n");
        for (var row : t.rows()) {
            out.append("<tr>");
            for (int c = 0; c < row.size(); c++) {
                out.append(t.numeric()[c] ? "<td class=\"num\">" : "<td>").append(inline(row.get(c))).append("</td>");
            }
            out.append("</tr>\n");
        }
        out.append("</table>\n");
    }

    /** Escapes text and turns {@code `code`} spans into {@code <code>}. */
    private static String inline(String text) {
        Matcher m = CODE.matcher(escape(text));
        return m.replaceAll(r -> Matcher.quoteReplacement("<code>" + r.group(1) + "</code>"));
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
