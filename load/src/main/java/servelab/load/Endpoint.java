package servelab.load;

import java.net.URI;
import java.util.Optional;

/**
 * The server being loaded: its base URL (with or without a trailing {@code /v1}), the API style, the model name sent
 * in every request, and the API key sent as {@code Authorization: Bearer}.
 */
public record Endpoint(URI base, Api api, String model, Optional<String> apiKey) {
    /** Which OpenAI route requests go to. */
    public enum Api {
        COMPLETIONS("/v1/completions"), CHAT("/v1/chat/completions");

        final String path;

        Api(String path) {
            this.path = path;
        }
    }

    public Endpoint {
        String scheme = base.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || base.getHost() == null) {
            throw new IllegalArgumentException("--target " + base + " is not an http:// or https:// URL with a host");
        }
        if (base.getPort() > 65535) { // URI takes any number of digits
            throw new IllegalArgumentException("--target " + base + ": port " + base.getPort() + " is not in [1, 65535]");
        }
        String path = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
        if (path.endsWith("/v1")) path = path.substring(0, path.length() - 3);
        base = URI.create(scheme + "://" + base.getRawAuthority() + path);
    }

    public URI requests() {
        return URI.create(base + api.path);
    }

    public URI models() {
        return URI.create(base + "/v1/models");
    }
}
