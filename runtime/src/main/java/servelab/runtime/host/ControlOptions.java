package servelab.runtime.host;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where the control port listens and what it accepts. Loopback needs no key; any other address needs an API key, so
 * that nothing beyond this machine can switch a policy without it.
 *
 * @param bind         the address to listen on
 * @param port         the port, or 0 for any free one (written to the run's {@code control.port})
 * @param apiKey       the key a client must send as {@code auth KEY} first; required unless {@code bind} is loopback
 * @param maxLineBytes the longest line read; a longer one is refused without being buffered
 * @param readTimeout  how long a client may take to send its line(s)
 */
public record ControlOptions(InetAddress bind, int port, Optional<String> apiKey, int maxLineBytes,
                             Duration readTimeout) {
    /** Environment variable: {@code HOST} or {@code HOST:PORT} to listen on instead of loopback. */
    public static final String BIND_ENV = "SERVELAB_CONTROL_BIND";
    /** Environment variable: the API key (kept out of experiment files and command lines, which others can read). */
    public static final String KEY_ENV = "SERVELAB_CONTROL_KEY";
    public static final int DEFAULT_MAX_LINE_BYTES = 64 * 1024;
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);
    private static final int MIN_KEY_LENGTH = 16;

    public ControlOptions {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("control port " + port + " is not 0..65535");
        if (maxLineBytes < 1) throw new IllegalArgumentException("control line limit must be positive");
        if (apiKey.isPresent() && apiKey.get().length() < MIN_KEY_LENGTH) {
            throw new IllegalArgumentException(KEY_ENV + " is shorter than " + MIN_KEY_LENGTH + " characters");
        }
        if (!bind.isLoopbackAddress() && apiKey.isEmpty()) {
            throw new IllegalArgumentException("the control port binds to " + bind.getHostAddress()
                    + ", beyond loopback: set " + KEY_ENV + " to an API key of at least " + MIN_KEY_LENGTH
                    + " characters (clients send it with servelab ctl, which reads the same variable)");
        }
    }

    /** Loopback, any free port, no key: what every run opens unless told otherwise. */
    public static ControlOptions loopback() {
        return new ControlOptions(InetAddress.getLoopbackAddress(), 0, Optional.empty(), DEFAULT_MAX_LINE_BYTES,
                DEFAULT_READ_TIMEOUT);
    }

    /** Loopback unless {@value #BIND_ENV} names another address, the key from {@value #KEY_ENV}. */
    public static ControlOptions fromEnvironment(Map<String, String> env) {
        var key = Optional.ofNullable(env.get(KEY_ENV)).filter(k -> !k.isEmpty());
        String bind = env.get(BIND_ENV);
        if (bind == null || bind.isBlank()) {
            return new ControlOptions(InetAddress.getLoopbackAddress(), 0, key, DEFAULT_MAX_LINE_BYTES,
                    DEFAULT_READ_TIMEOUT);
        }
        int colon = bind.lastIndexOf(':');
        boolean hasPort = colon > 0 && bind.indexOf(':') == colon; // one colon: HOST:PORT (IPv6 has several)
        String host = hasPort ? bind.substring(0, colon) : bind;
        int port;
        try {
            port = hasPort ? Integer.parseInt(bind.substring(colon + 1)) : 0;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(BIND_ENV + "=" + bind + ": the port is not a number");
        }
        try {
            return new ControlOptions(InetAddress.getByName(host), port, key, DEFAULT_MAX_LINE_BYTES,
                    DEFAULT_READ_TIMEOUT);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(BIND_ENV + "=" + bind + ": unknown host '" + host + "'");
        }
    }

    /**
     * Whether {@code line} is {@code auth KEY} with this port's key. Both sides are hashed first and compared with
     * {@link MessageDigest#isEqual}, so the time taken tells an attacker neither the key's length nor how many of
     * its leading characters were right.
     */
    boolean acceptsAuthLine(String line) {
        if (apiKey.isEmpty()) return true;
        String given = line.startsWith("auth ") ? line.substring(5).strip() : "";
        return MessageDigest.isEqual(sha256(given), sha256(apiKey.get()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "ControlOptions[bind=" + bind.getHostAddress() + ", port=" + port + ", apiKey="
                + (apiKey.isPresent() ? "set" : "none") + ", maxLineBytes=" + maxLineBytes + ", readTimeout="
                + readTimeout + "]";
    }
}
