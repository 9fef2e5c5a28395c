package servelab.serve;

import java.net.URI;
import java.util.Locale;

import com.sun.net.httpserver.HttpExchange;

/**
 * What only a web page in a browser would send a server on this machine: a request from another origin (a page's
 * {@code fetch(..., {mode: 'no-cors'})} POST needs no preflight, and its completion was served and recorded in the
 * run), or a {@code Host} that is not this machine's name while the server listens on loopback (DNS rebinding: a
 * page whose name resolves to 127.0.0.1 read /v1/models and /metrics). Clients that are not browsers (the OpenAI
 * SDKs, curl, {@code servelab load}) send no {@code Origin} and name the host they connect to.
 */
final class BrowserGuard {
    private final boolean loopback;
    /** Names of this machine besides localhost and loopback literals: the bound host's and the machine's own. */
    private final java.util.Set<String> ownNames = new java.util.HashSet<>();

    BrowserGuard(boolean loopback, String boundHost) {
        this.loopback = loopback;
        if (boundHost != null && !boundHost.isBlank()) ownNames.add(normal(boundHost.replace("[", "").replace("]", "")));
        try { // the name the server was bound by may be the machine's (a hosts line 127.0.1.1 NAME): it printed that URL
            ownNames.add(normal(java.net.InetAddress.getLocalHost().getHostName()));
        } catch (java.io.IOException e) {
            // no name of its own: localhost and the literals remain
        }
    }

    /** Lower case, without a trailing dot (a fully qualified name's root). */
    private static String normal(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /** Refuses the exchange with a 403 (a 400 for HTTP/1.1 without a Host) if a browser sent it from elsewhere. */
    void check(HttpExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) {
            if (exchange.getProtocol().equals("HTTP/1.1")) {
                throw ApiError.invalid(null, "An HTTP/1.1 request needs a Host header (RFC 9112 3.2)");
            }
            return;
        }
        if (loopback && !isLocalName(normal(hostName(host))) && !ownNames.contains(normal(hostName(host)))) {
            throw forbidden("this server listens on loopback and answers requests for this machine's names "
                    + "(localhost, 127.0.0.1, [::1]), not for '" + host + "'");
        }
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (origin != null && !sameOrigin(origin, host)) {
            throw forbidden("cross-origin requests are refused (Origin " + origin + "); send requests from a client, "
                    + "not from a web page");
        }
    }

    private static ApiError forbidden(String message) {
        return new ApiError(403, "invalid_request_error", "forbidden", null, message);
    }

    /** The host of a Host header value: {@code [::1]:8000} is {@code ::1}, {@code localhost:8000} {@code localhost}. */
    static String hostName(String hostHeader) {
        String h = hostHeader.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(1, end);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 || h.indexOf(':') != colon ? h : h.substring(0, colon);
    }

    private static boolean isLocalName(String name) {
        if (name.equals("localhost") || name.endsWith(".localhost")) return true;
        if (!name.matches("[0-9.]+|[0-9a-f:.]*:[0-9a-f:.]*")) return false; // only literals: a name is never resolved
        try { // 127.1, ::ffff:127.0.0.1, 0:0:0:0:0:0:0:1: literals parse without a lookup
            return java.net.InetAddress.getByName(name).isLoopbackAddress();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Whether {@code origin} (scheme://host[:port]) names the host and port the request was sent to. */
    private static boolean sameOrigin(String origin, String hostHeader) {
        try {
            var uri = URI.create(origin.strip());
            if (uri.getHost() == null) return false; // "null": a sandboxed page or a file
            String originHost = normal(uri.getHost().replace("[", "").replace("]", ""));
            int originPort = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
            // a Host without a port is a proxy's (TLS ended before the server): the page's port cannot be compared
            int hostPort = port(hostHeader);
            return originHost.equals(normal(hostName(hostHeader))) && (hostPort == NO_PORT || originPort == hostPort);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static final int NO_PORT = -2;

    /** The port of a Host header value, {@link #NO_PORT} when it names none. */
    private static int port(String hostHeader) {
        String h = hostHeader.strip();
        int colon = h.lastIndexOf(':');
        if (colon < 0 || h.lastIndexOf(']') > colon || h.indexOf(':') != colon && !h.startsWith("[")) return NO_PORT;
        try {
            return Integer.parseInt(h.substring(colon + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
