package servelab.api;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * What a plugin is: kind, name, version, a one-line summary (cite the paper it follows there or in the Javadoc),
 * and its parameters.
 *
 * @param kind    the slot it fills
 * @param name    lower-case, dash-separated, unique within its kind: {@code chunked-prefill}
 * @param version semantic version {@code major.minor.patch}, recorded with every run and swap
 * @param summary one line for {@code servelab plugins}
 * @param params  accepted parameters, in the order they are listed
 */
public record PluginDescriptor(PluginKind kind, String name, String version, String summary,
                               List<ParamSpec> params) {

    public PluginDescriptor {
        Objects.requireNonNull(kind, "PluginDescriptor.kind");
        Objects.requireNonNull(summary, "PluginDescriptor.summary");
        if (name == null || !name.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("PluginDescriptor.name must be lower-case words joined by '-', was '"
                    + name + "'");
        }
        if (version == null || !version.matches("\\d+\\.\\d+\\.\\d+([.-][A-Za-z0-9_-]+)?")) {
            throw new IllegalArgumentException("PluginDescriptor.version of " + name
                    + " must look like 1.2.3, was '" + version + "'");
        }
        params = List.copyOf(params);
        var seen = new HashSet<String>();
        for (var p : params) {
            if (!seen.add(p.name())) {
                throw new IllegalArgumentException("PluginDescriptor " + name + " declares parameter '" + p.name()
                        + "' twice");
            }
        }
    }

    /** {@code kind 'name'}, as messages name a plugin. */
    public String label() {
        return kind.id() + " '" + name + "'";
    }

    /** {@code name@version}, as results and swap events name a plugin. */
    public String id() {
        return name + "@" + version;
    }
}
