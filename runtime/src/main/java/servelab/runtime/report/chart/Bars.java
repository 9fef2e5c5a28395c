package servelab.runtime.report.chart;

import java.util.Objects;

/**
 * One group of bars of a bar chart: a value per category, with an error bar each.
 *
 * @param name   legend entry
 * @param values one per category; NaN draws no bar
 * @param errors half-widths of the error bars (JMH's score error), one per category; NaN or 0 draws none
 */
public record Bars(String name, double[] values, double[] errors) {
    public Bars {
        Objects.requireNonNull(name, "Bars.name");
        if (values.length != errors.length) {
            throw new IllegalArgumentException("Bars '" + name + "' has " + values.length + " values but "
                    + errors.length + " errors");
        }
    }
}
