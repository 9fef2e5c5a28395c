package servelab.runtime.report.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class DocumentTest {

    private static Document sample() {
        return new Document("Runs <a & b>")
                .paragraph("See `runs/x`.")
                .table(List.of("run", "req/s", "note"), List.of(List.of("a|b", "1.50", "fast"), List.of("c", "n/a", "x")))
                .image("cdf-ttft.png", "CDF of TTFT");
    }

    @Test
    void markdownRightAlignsNumericColumnsAndEscapesPipes() {
        assertEquals("""
                # Runs <a & b>

                See `runs/x`.

                | run | req/s | note |
                | --- | ---: | --- |
                | a\\|b | 1.50 | fast |
                | c | n/a | x |

                ![CDF of TTFT](cdf-ttft.png)
                """, sample().toMarkdown());
    }

    @Test
    void htmlEscapesTextAndTurnsBackticksIntoCode() {
        String html = sample().toHtml();
        assertTrue(html.contains("<title>Runs &lt;a &amp; b&gt;</title>"), html);
        assertTrue(html.contains("<p>See <code>runs/x</code>.</p>"), html);
        assertTrue(html.contains("<tr><td>a|b</td><td class=\"num\">1.50</td><td>fast</td></tr>"), html);
        assertTrue(html.contains("<img src=\"cdf-ttft.png\" alt=\"CDF of TTFT\">"), html);
        assertTrue(!html.contains("<script"), "no scripts");
    }

    @Test
    void aRowWithTheWrongNumberOfCellsIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Document("t").table(List.of("a", "b"), List.of(List.of("1"))));
        assertEquals("table row 1 has 1 cells, the header 2", e.getMessage());
    }
}
