package servelab.runtime.host;

import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;

/**
 * An installed plugin: its factory service, what it declares, and where it came from.
 *
 * @param factory    the factory service object
 * @param descriptor what the factory declares
 * @param source     the bundle's jar file name, or {@code built-in}
 * @param bundleId   the OSGi bundle id (0 for built-ins)
 */
public record Plugin(PluginFactory<?> factory, PluginDescriptor descriptor, String source, long bundleId) {
    /** {@code kind name@version}. */
    @Override
    public String toString() {
        return descriptor.kind().id() + " " + descriptor.id() + " (" + source + ")";
    }

    /** Orders {@code major.minor.patch[.qualifier]} numerically, then by qualifier text. */
    static int compareVersions(String a, String b) {
        String[] x = a.split("[.-]", 4), y = b.split("[.-]", 4);
        for (int i = 0; i < 3; i++) {
            int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
            if (c != 0) return c;
        }
        return (x.length > 3 ? x[3] : "").compareTo(y.length > 3 ? y[3] : "");
    }

    /** Where a bundle came from, as listings show it: its jar's file name, or {@code built-in} for the host's own. */
    static String sourceOf(org.osgi.framework.Bundle bundle) {
        if (bundle.getBundleId() == 0) return "built-in";
        String location = bundle.getLocation();
        int hash = location.lastIndexOf('#');
        if (hash >= 0) location = location.substring(0, hash);
        int slash = location.lastIndexOf('/');
        return slash >= 0 ? location.substring(slash + 1) : location;
    }
}
