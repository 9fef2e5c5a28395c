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

    BrowserGuard(boolean loopback) {
        this.loopback = loopback;
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
        if (loopback && !isLocalName(hostName(host))) {
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
        return name.equals("localhost") || name.endsWith(".localhost") || name.equals("::1")
                || name.equals("0:0:0:0:0:0:0:1") || name.matches("127(\\.[0-9]{1,3}){3}");
    }

    /** Whether {@code origin} (scheme://host[:port]) names the host and port the request was sent to. */
    private static boolean sameOrigin(String origin, String hostHeader) {
        try {
            var uri = URI.create(origin.strip());
            if (uri.getHost() == null) return false; // "null": a sandboxed page or a file
            String originHost = uri.getHost().toLowerCase(Locale.ROOT).replace("[", "").replace("]", "");
            int originPort = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
            return originHost.equals(hostName(hostHeader)) && originPort == port(hostHeader);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The port of a Host header value, 80 when it names none. */
    private static int port(String hostHeader) {
        String h = hostHeader.strip();
        int colon = h.lastIndexOf(':');
        if (colon < 0 || h.lastIndexOf(']') > colon || h.indexOf(':') != colon && !h.startsWith("[")) return 80;
        try {
            return Integer.parseInt(h.substring(colon + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
