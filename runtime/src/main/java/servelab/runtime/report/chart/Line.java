package servelab.runtime.report.chart;

import java.util.Objects;

/**
 * One line of an XY chart.
 *
 * @param name   legend entry
 * @param x      x values
 * @param y      y values, as many as {@code x}
 * @param color  palette index ({@link ChartStyle#color}), so the lines of one run share a colour across charts
 * @param dashed drawn dashed (a second figure of the same run, such as its p99 beside its median)
 */
public record Line(String name, double[] x, double[] y, int color, boolean dashed) {

    public Line {
        Objects.requireNonNull(name, "Line.name");
        if (x.length != y.length) {
            throw new IllegalArgumentException("Line '" + name + "' has " + x.length + " x values but " + y.length + " y values");
        }
        if (color < 0) throw new IllegalArgumentException("Line.color must be >= 0, was " + color);
    }

    /** A solid line. */
    public static Line of(String name, double[] x, double[] y, int color) {
        return new Line(name, x, y, color, false);
    }
}
