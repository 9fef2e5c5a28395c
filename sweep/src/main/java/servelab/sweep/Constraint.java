package servelab.sweep;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A condition on a point's axis values, {@code LEFT OP RIGHT} with OP one of {@code == != < <= > >=}; each side is
 * an axis key or a literal (number or text). Numbers compare as numbers, anything else as text.
 *
 * @param text the constraint as written
 */
public record Constraint(String text, Operand left, String op, Operand right) {

    private static final Pattern FORM = Pattern.compile("\\s*(\\S+)\\s*(==|!=|<=|>=|<|>)\\s*(\\S+)\\s*");

    /** An axis value or a literal. */
    public sealed interface Operand permits Axis, Literal {}

    public record Axis(String key) implements Operand {}

    public record Literal(String value) implements Operand {}

    /**
     * @param axes each axis key with its values (plain text), so that a comparison no value can meet the way it was
     *             meant (a number axis against text, or {@code ==} / {@code !=} a value the axis does not have) is
     *             refused rather than holding for every point or for none
     */
    static Constraint parse(String text, Map<String, List<String>> axes) {
        var c = parse(text, List.copyOf(axes.keySet()));
        c.checkAgainst(axes);
        return c;
    }

    static Constraint parse(String text, List<String> axisKeys) {
        var m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("constraint '" + text + "': expected LEFT OP RIGHT with OP one of "
                    + "== != < <= > >= (for example 'seed <= 2')");
        }
        var left = operand(text, m.group(1), axisKeys);
        var right = operand(text, m.group(3), axisKeys);
        if (!(left instanceof Axis) && !(right instanceof Axis)) { // a typo such as 'sed != 1' held for every point
            throw new IllegalArgumentException("constraint '" + text + "' names no axis, so it would hold for every "
                    + "point or for none; axes: " + String.join(", ", axisKeys));
        }
        return new Constraint(text, left, m.group(2), right);
    }

    private static Operand operand(String text, String token, List<String> axisKeys) {
        if (axisKeys.contains(token)) return new Axis(token);
        if (token.startsWith("'") || token.startsWith("\"")) {
            if (token.length() < 2 || token.charAt(token.length() - 1) != token.charAt(0)) { // was a bare Java range error
                throw new IllegalArgumentException("constraint '" + text + "': the quoted value " + token
                        + " does not end with its quote");
            }
            return new Literal(token.substring(1, token.length() - 1));
        }
        if (number(token) == null && token.contains(".")) {
            throw new IllegalArgumentException("constraint '" + text + "': unknown axis key '" + token + "'; axes: "
                    + String.join(", ", axisKeys));
        }
        return new Literal(token);
    }

    private void checkAgainst(Map<String, List<String>> axes) {
        for (var pair : List.of(List.of(left, right), List.of(right, left))) {
            if (!(pair.get(0) instanceof Axis axis)) continue;
            var values = axes.get(axis.key());
            boolean numbers = values.stream().allMatch(v -> number(v) != null);
            switch (pair.get(1)) {
                case Literal literal -> {
                    if (numbers && number(literal.value()) == null) {
                        throw new IllegalArgumentException("constraint '" + text + "' compares the number axis '"
                                + axis.key() + "' " + values + " with the text '" + literal.value() + "'");
                    }
                    boolean equality = op.equals("==") || op.equals("!=");
                    if (equality && values.stream().noneMatch(v -> test(v, literal.value()) == 0)) {
                        throw new IllegalArgumentException("constraint '" + text + "': '" + literal.value() + "' is no"
                                + " value of axis '" + axis.key() + "' " + values + ", so it would hold for "
                                + (op.equals("==") ? "no point" : "every point"));
                    }
                }
                case Axis other -> {
                    boolean otherNumbers = axes.get(other.key()).stream().allMatch(v -> number(v) != null);
                    if (numbers != otherNumbers) {
                        throw new IllegalArgumentException("constraint '" + text + "' compares the number axis '"
                                + (numbers ? axis.key() : other.key()) + "' with the text axis '"
                                + (numbers ? other.key() : axis.key()) + "'");
                    }
                }
            }
        }
    }

    /** Whether the point with these axis values (plain text of each value) meets the constraint. */
    boolean test(Map<String, String> values) {
        int c = test(value(left, values), value(right, values));
        return switch (op) {
            case "==" -> c == 0;
            case "!=" -> c != 0;
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            default -> c >= 0;
        };
    }

    /** Numbers compare as numbers, anything else as text. */
    private static int test(String a, String b) {
        Double x = number(a), y = number(b);
        return x != null && y != null ? Double.compare(x, y) : a.compareTo(b);
    }

    private static String value(Operand operand, Map<String, String> values) {
        return switch (operand) {
            case Axis axis -> values.get(axis.key());
            case Literal literal -> literal.value();
        };
    }

    private static Double number(String s) {
        try {
            return Double.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
