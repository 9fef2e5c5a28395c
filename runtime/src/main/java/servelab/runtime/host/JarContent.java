package servelab.runtime.host;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Constants;

/**
 * What a plugin jar holds, apart from how it was packed: a SHA-256 over the manifest's attributes and each entry's
 * name and bytes in name order, leaving out entry timestamps, entry order, compression and bnd's
 * {@code Bnd-LastModified} header, which change with every build of the same sources.
 *
 * @param digest  the content digest (hex), equal for two jars that differ only in packing
 * @param problem the first reason the bytes are no usable bundle, or null
 * @param exports whether its manifest exports packages, which other bundles may need resolved beside them
 */
record JarContent(String digest, String problem, boolean exports) {
    /** Manifest headers that record when, not what. */
    private static final java.util.Set<String> VOLATILE_HEADERS = java.util.Set.of("Bnd-LastModified", "Build-Time",
            "Built-Date", "Build-Date");

    static JarContent read(byte[] bytes) {
        var entries = new TreeMap<String, String>();
        String problem = null;
        Manifest manifest = null;
        try (var in = new JarInputStream(new ByteArrayInputStream(bytes))) {
            manifest = in.getManifest();
            // reading every entry finds truncated or corrupt archives before the framework sees them
            for (var entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                if (!entry.isDirectory()) entries.put(entry.getName(), hex(sha256().digest(in.readAllBytes())));
            }
            if (manifest == null) problem = "no META-INF/MANIFEST.MF (is the file a complete jar?)";
            else if (manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME) == null) {
                problem = "its manifest has no Bundle-SymbolicName (build it with bnd or the maven-bundle-plugin)";
            }
        } catch (IOException e) {
            // unreadable: the digest of the raw bytes still tells one broken file from another
            return new JarContent(hex(sha256().digest(bytes)), "not a readable jar (" + e.getMessage() + ")", false);
        }
        var digest = sha256();
        if (manifest != null) {
            update(digest, "manifest", attributes(manifest.getMainAttributes()).toString());
            for (var named : new TreeMap<>(manifest.getEntries()).entrySet()) {
                update(digest, "manifest:" + named.getKey(), attributes(named.getValue()).toString());
            }
        }
        for (var e : entries.entrySet()) update(digest, e.getKey(), e.getValue());
        var exports = manifest == null ? null : manifest.getMainAttributes().getValue(Constants.EXPORT_PACKAGE);
        return new JarContent(hex(digest.digest()), problem, exports != null && !exports.isBlank());
    }

    private static Map<String, String> attributes(Attributes attributes) {
        var sorted = new TreeMap<String, String>();
        attributes.forEach((k, v) -> {
            if (!VOLATILE_HEADERS.contains(k.toString())) sorted.put(k.toString(), String.valueOf(v));
        });
        return sorted;
    }

    private static void update(MessageDigest digest, String name, String value) {
        // length-prefixed, so ("ab", "c") and ("a", "bc") cannot collide
        for (var part : new String[] {name, value}) {
            var utf8 = part.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            digest.update(java.nio.ByteBuffer.allocate(4).putInt(utf8.length).array());
            digest.update(utf8);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
