package servelab.datasets.internal;

/** Exact decimal text for fixed-point times, so written traces read back to the same nanosecond. */
public final class Decimals {
    private Decimals() {
    }

    /** {@code 1500000000} nanoseconds as {@code 1.5}; whole seconds as {@code 2.0}; no exponent, no rounding. */
    public static String seconds(long nanos) {
        return fixedPoint(nanos, 9);
    }

    /** {@code 1500000} nanoseconds as {@code 1.5} milliseconds; whole milliseconds without a fraction. */
    public static String millis(long nanos) {
        var text = fixedPoint(nanos, 6);
        return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
    }

    private static String fixedPoint(long value, int decimals) {
        long unit = 1;
        for (int i = 0; i < decimals; i++) unit *= 10;
        var text = new StringBuilder(24);
        if (value < 0) text.append('-');
        long whole = Math.abs(value / unit);
        long fraction = Math.abs(value % unit);
        text.append(whole).append('.');
        var digits = Long.toString(fraction);
        text.repeat('0', decimals - digits.length()).append(digits);
        int end = text.length();
        while (end > text.indexOf(".") + 2 && text.charAt(end - 1) == '0') end--;
        text.setLength(end);
        return text.toString();
    }
}
