package servelab.api.route;

import org.osgi.annotation.versioning.ProviderType;

/** A request as routing and admission see it, before any replica holds it. */
@ProviderType
public interface RequestView {
    long id();

    long arrivalNanos();

    int promptTokens();

    int maxOutputTokens();

    int priority();

    String tenant();
}
