package servelab.runtime.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * A run's control port as its folder tells clients: {@code control.port}, and {@code control.key}, a key made for the
 * run and readable by its owner alone. Without it any local user could switch a run's plugins over loopback; with
 * it, {@code servelab ctl --run DIR} (which reads the file) works for the user who started the run, and others get
 * "unauthorized". A key from {@value ControlOptions#KEY_ENV} is used instead, and written nowhere.
 */
public final class ControlFiles {
    public static final String PORT = "control.port";
    public static final String KEY = "control.key";

    private ControlFiles() {}

    /** The options a run's port opens with: the environment's, and a fresh key when it gives none. */
    public static ControlOptions options(Map<String, String> env) {
        var options = ControlOptions.fromEnvironment(env);
        if (options.apiKey().isPresent()) return options;
        var key = new byte[24];
        new SecureRandom().nextBytes(key);
        return new ControlOptions(options.bind(), options.port(), Optional.of(HexFormat.of().formatHex(key)),
                options.maxLineBytes(), options.readTimeout());
    }

    /** Writes {@code control.port}, and {@code control.key} (owner only) unless the key came from the environment. */
    public static void write(Path runDir, int port, ControlOptions options, Map<String, String> env) throws IOException {
        var keyFile = runDir.resolve(KEY);
        Files.deleteIfExists(keyFile);
        boolean fromEnv = env.get(ControlOptions.KEY_ENV) != null && !env.get(ControlOptions.KEY_ENV).isEmpty();
        if (options.apiKey().isPresent() && !fromEnv) {
            try {
                Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(keyFile);
            }
            Files.writeString(keyFile, options.apiKey().get() + "\n");
        }
        Files.writeString(runDir.resolve(PORT), port + "\n");
    }

    /** Removes both files (the run ended). */
    public static void delete(Path runDir) throws IOException {
        Files.deleteIfExists(runDir.resolve(PORT));
        Files.deleteIfExists(runDir.resolve(KEY));
    }

    /** The run's key from its folder, if it wrote one. */
    public static Optional<String> key(Path runDir) throws IOException {
        var file = runDir.resolve(KEY);
        return Files.isReadable(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
    }
}
