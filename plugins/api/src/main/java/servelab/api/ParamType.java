package servelab.api;

/** The type of a plugin parameter; values arrive from YAML (numbers, booleans) or the command line (strings). */
public enum ParamType {
    INT("int"), LONG("long"), DOUBLE("double"), BOOLEAN("boolean"), STRING("string");

    private final String label;

    ParamType(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }

    /**
     * Converts a raw value to this type.
     *
     * @return an {@link Integer}, {@link Long}, {@link Double}, {@link Boolean} or {@link String}
     * @throws IllegalArgumentException when the value is not of this type (an int parameter given "abc" or 2.5)
     */
    Object coerce(Object raw) {
        return switch (this) {
            case INT -> Math.toIntExact(integral(raw));
            case LONG -> integral(raw);
            case DOUBLE -> raw instanceof Number n ? n.doubleValue() : Double.parseDouble(text(raw));
            case BOOLEAN -> bool(raw);
            case STRING -> text(raw);
        };
    }

    private static long integral(Object raw) {
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof Number n) {
            double d = n.doubleValue();
            if (d != Math.rint(d) || Double.isInfinite(d)) throw new IllegalArgumentException("not a whole number");
            return (long) d;
        }
        return Long.parseLong(text(raw).replace("_", ""));
    }

    private static boolean bool(Object raw) {
        if (raw instanceof Boolean b) return b;
        return switch (text(raw).toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    private static String text(Object raw) {
        if (raw instanceof CharSequence || raw instanceof Number || raw instanceof Boolean) return raw.toString().trim();
        throw new IllegalArgumentException("not a scalar");
    }
}
