package servelab.runtime.report.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;

import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;

/** The look every ServeLab chart shares: white, legend below the plot, a palette that survives colour blindness. */
public final class ChartStyle {
    /** Okabe and Ito's colour-blind-safe palette (without its yellow, which is unreadable on white). */
    private static final Color[] PALETTE = {
            new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
            new Color(0x56B4E9), new Color(0xE69F00), new Color(0x000000)};

    static final BasicStroke SOLID = new BasicStroke(1.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    static final BasicStroke DASHED = new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[] {6f, 4f}, 0f);
    static final Color MARKER = new Color(0x555555);
    static final Color FAULT = new Color(0xC0392B);
    static final Color SCALE = new Color(0x6C3483);
    static final BasicStroke DOTTED = new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[] {2f, 3f}, 0f);
    private static final BasicStroke SPARSE_DOTS = new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND,
            10f, new float[] {2f, 9f}, 0f);
    private static final BasicStroke DASH_DOT = new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND,
            10f, new float[] {9f, 3f, 2f, 3f}, 0f);
    /** Swap markers cycle through these glyphs and dashes, so the k-th swap looks different from its neighbours. */
    private static final org.knowm.xchart.style.markers.Marker[] SWAP_GLYPHS = {
            org.knowm.xchart.style.markers.SeriesMarkers.DIAMOND, org.knowm.xchart.style.markers.SeriesMarkers.SQUARE,
            org.knowm.xchart.style.markers.SeriesMarkers.TRIANGLE_UP, org.knowm.xchart.style.markers.SeriesMarkers.TRIANGLE_DOWN,
            org.knowm.xchart.style.markers.SeriesMarkers.CROSS, org.knowm.xchart.style.markers.SeriesMarkers.PLUS};
    private static final float[][] SWAP_DASHES = {{6f, 4f}, {2f, 3f}, {12f, 4f, 2f, 4f}, {14f, 6f}};

    private ChartStyle() {
    }

    /** The palette colour of index {@code i}, wrapping around. */
    public static Color color(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    /** The glyph of the {@code k}-th swap marker (0-based), at both ends of its vertical line. */
    static org.knowm.xchart.style.markers.Marker markerShape(int k) {
        return SWAP_GLYPHS[Math.floorMod(k, SWAP_GLYPHS.length)];
    }

    /** The dash of the {@code k}-th swap marker: cycles at a different period from the glyphs, so pairs repeat late. */
    static BasicStroke markerStroke(int k) {
        return new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                SWAP_DASHES[Math.floorMod(k, SWAP_DASHES.length)], 0f);
    }

    /** A fault's or scaling decision's line: its run's colour in a chart of several runs, else its kind's. */
    static Color eventColor(Marker.Kind kind, int run) {
        if (run >= 0) return color(run);
        return kind == Marker.Kind.SCALE ? SCALE : FAULT;
    }

    /** A fault's start dotted, its end sparsely dotted, a scaling decision dash-dot. */
    static BasicStroke eventStroke(Marker.Kind kind) {
        return switch (kind) {
            case FAULT -> DOTTED;
            case FAULT_END -> SPARSE_DOTS;
            case SCALE -> DASH_DOT;
            case SWAP -> throw new IllegalArgumentException("a swap's stroke is markerStroke(k)");
        };
    }

    static void apply(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(0xBBBBBB));
        s.setPlotGridLinesColor(new Color(0xE4E4E4));
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setLegendBorderColor(Color.WHITE);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setSeriesColors(PALETTE);
        s.setAntiAlias(true);
        s.setTextAntiAlias(true);
    }
}
