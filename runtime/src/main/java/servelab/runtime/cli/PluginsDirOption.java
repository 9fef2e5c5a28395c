package servelab.runtime.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** The {@code --plugins-dir} option shared by every command that starts the plugin host. */
final class PluginsDirOption {
    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = "directory of plugin bundle jars (default: the build's target/plugins, or "
                    + "$SERVELAB_PLUGINS); a run or server watches it for jars dropped in while it goes on")
    Path dir;

    Path resolve() {
        if (dir != null) return dir;
        var env = System.getenv("SERVELAB_PLUGINS");
        if (env != null && !env.isBlank()) return Path.of(env);
        var home = System.getProperty("servelab.home");
        return (home == null ? Path.of(".") : Path.of(home)).resolve("target/plugins");
    }
}
