package servelab.runtime.host;

/**
 * Text from a file made safe for a terminal. Error messages quote what they read (a header, a field), and a binary
 * file's header echoed raw can switch the terminal's state, while a {@code \r} inside a field makes the text before
 * it vanish; control characters are shown as escapes instead, and an undecodable byte as {@code \uFFFD}.
 */
public final class Printable {
    private Printable() {}

    public static String of(String text) {
        var out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c == '\n') out.append('\n');
            else if (c == '\r') out.append("\\r");
            else if (c == '\t') out.append("\\t");
            else if (Character.isISOControl(c) || c == 0xFFFD || Character.getType(c) == Character.FORMAT) {
                out.append(String.format("\\u%04X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
