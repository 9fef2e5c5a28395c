package servelab.datasets.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Number parsing straight from the bytes of a line: no String, no regex, no boxing in the common case. Every
 * method returns {@link #INVALID} (a negative value) instead of throwing, so the caller can name the column.
 */
public final class Numbers {
    /** Returned for text that is not a valid value of the requested kind. */
    public static final long INVALID = -1;
    /** Returned by {@link #parseSecondsNanos} when the value does not fit in a long of nanoseconds. */
    public static final long TOO_LARGE = -2;
    /** Longest number in exponent form that is read ({@code 1.234567890123456789e9} has 22 characters). */
    private static final int MAX_EXPONENT_FORM_CHARS = 64;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long MAX_WHOLE_SECONDS = Long.MAX_VALUE / NANOS_PER_SECOND - 1;

    private Numbers() {
    }

    /**
     * A non-negative decimal integer that fits an {@code int}, optionally followed by a fractional part of zeros
     * only ({@code 374.0}, as pandas writes integer columns that once held a NaN). Spaces around it are ignored.
     */
    public static long parseCount(byte[] b, int from, int to) {
        int s = skipSpaces(b, from, to);
        int e = trimSpaces(b, s, to);
        if (s == e) return INVALID;
        long value = 0;
        int i = s;
        for (; i < e && b[i] != '.'; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) return INVALID;
            value = value * 10 + d;
            if (value > Integer.MAX_VALUE) return INVALID;
        }
        if (i == s) return INVALID;
        if (i < e) {
            if (i + 1 == e) return INVALID;
            for (i++; i < e; i++) if (b[i] != '0') return INVALID;
        }
        return value;
    }

    /**
     * A non-negative decimal number of seconds ({@code 5}, {@code 4.314579}, {@code 5.8926549999999995},
     * {@code 1e-05}), as nanoseconds rounded half-up at the ninth fractional digit. Plain decimals, the usual case,
     * are parsed digit by digit with no rounding error; exponent notation takes a slower exact path.
     */
    public static long parseSecondsNanos(byte[] b, int from, int to) {
        int s = skipSpaces(b, from, to);
        int e = trimSpaces(b, s, to);
        if (s == e) return INVALID;
        long whole = 0;
        int i = s;
        for (; i < e && b[i] >= '0' && b[i] <= '9'; i++) {
            whole = whole * 10 + (b[i] - '0');
            if (whole > MAX_WHOLE_SECONDS) return TOO_LARGE;
        }
        boolean hasWholeDigits = i > s;
        long fraction = 0;
        int fractionDigits = 0;
        boolean roundUp = false;
        if (i < e && b[i] == '.') {
            int first = ++i;
            for (; i < e && b[i] >= '0' && b[i] <= '9'; i++) {
                if (fractionDigits < 9) {
                    fraction = fraction * 10 + (b[i] - '0');
                    fractionDigits++;
                } else if (i == first + 9) {
                    roundUp = b[i] >= '5';
                }
            }
            if (!hasWholeDigits && i == first) return INVALID;
        } else if (!hasWholeDigits) {
            return INVALID;
        }
        if (i < e) {
            if (b[i] == 'e' || b[i] == 'E') return parseExponentForm(b, s, e);
            return INVALID;
        }
        for (int k = fractionDigits; k < 9; k++) fraction *= 10;
        return whole * NANOS_PER_SECOND + fraction + (roundUp ? 1 : 0);
    }

    private static long parseExponentForm(byte[] b, int s, int e) {
        // no timestamp is written with dozens of digits; a longer one is refused before any arithmetic
        if (e - s > MAX_EXPONENT_FORM_CHARS) return INVALID;
        try {
            var seconds = new BigDecimal(new String(b, s, e - s, StandardCharsets.US_ASCII));
            if (seconds.signum() < 0) return INVALID;
            // decide by the exponent alone: materialising 1e100000083 s in nanoseconds took 50 s and 1 GB (found by
            // fuzzing), and rounding 1e-100000000 to whole nanoseconds would divide by as large a power of ten
            long digits = (long) seconds.precision() - seconds.scale() + 9; // digits before the point, in ns
            if (digits > 19) return TOO_LARGE;
            if (digits < 0) return 0; // under a tenth of a nanosecond
            var nanos = seconds.movePointRight(9).setScale(0, RoundingMode.HALF_UP);
            return nanos.toBigInteger().bitLength() < 63 ? nanos.longValue() : TOO_LARGE;
        } catch (NumberFormatException | ArithmeticException notANumber) {
            return INVALID;
        }
    }

    private static int skipSpaces(byte[] b, int from, int to) {
        while (from < to && (b[from] == ' ' || b[from] == '\t')) from++;
        return from;
    }

    private static int trimSpaces(byte[] b, int from, int to) {
        while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) to--;
        return to;
    }
}
