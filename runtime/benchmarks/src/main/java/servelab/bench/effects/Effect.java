package servelab.bench.effects;

import java.util.List;
import java.util.Objects;

/**
 * One published effect as reproduced: what the paper claims, on what workload, the numbers measured, and whether
 * the acceptance check held.
 *
 * @param number   the acceptance number (1-5)
 * @param title    a few words
 * @param claim    the paper's claim, with the paper
 * @param workload trace, load and policies, enough to rerun it by hand
 * @param measured the numbers, in report order
 * @param check    the acceptance check, in words
 * @param holds    whether the check held
 */
record Effect(int number, String title, String claim, String workload, List<Measure> measured, String check,
              boolean holds) {

    /** One measured number. */
    record Measure(String name, double value, String unit) {
        Measure {
            Objects.requireNonNull(name, "Measure.name");
            Objects.requireNonNull(unit, "Measure.unit");
        }

        String format() {
            String number = Math.abs(value) >= 100 ? String.format("%,.0f", value)
                    : Math.abs(value) >= 10 ? String.format("%.1f", value) : String.format("%.2f", value);
            return name + " " + number + (unit.isEmpty() ? "" : " " + unit);
        }
    }

    Effect {
        measured = List.copyOf(measured);
    }

    /** The value of the measure named {@code name}. */
    double value(String name) {
        return measured.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no measure '" + name + "' in effect " + number))
                .value();
    }
}
