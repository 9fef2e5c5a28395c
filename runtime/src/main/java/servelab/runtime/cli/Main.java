package servelab.runtime.cli;

import java.nio.file.Path;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import servelab.runtime.experiment.CallerDir;

/** The {@code servelab} command line. Only {@link #main} exits the JVM. */
@Command(name = "servelab", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A testbed for LLM serving algorithms: hot-swappable scheduling, batching and caching "
                + "plugins, replayed against real request traces in simulation or on a real model.",
        subcommands = {DemoCommand.class, RunCommand.class, PluginsCommand.class, CtlCommand.class,
                TraceCommand.class, CacheCommand.class, ImportCommand.class, ReportCommand.class, BenchCommand.class,
                CalibrateCommand.class, ValidateCommand.class,
                NotebookCommand.class, NewPluginCommand.class, RecoverCommand.class, TestCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        // Arrow logs through SLF4J; keep its chatter out of the terminal unless asked for
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (tests call {@code execute} on it and read its output). */
    public static CommandLine commandLine() {
        var cli = new CommandLine(new Main());
        for (var provider : java.util.ServiceLoader.load(CommandProvider.class)) {
            for (var command : provider.commands()) cli.addSubcommand(command);
        }
        // every path typed on the command line is the user's, relative to where they typed it
        cli.registerConverter(Path.class, text -> CallerDir.resolve(Path.of(text)));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // the full name (servelab notebook run), so two verbs of one name cannot be mistaken for each other
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + message(e));
            if (Boolean.getBoolean("servelab.debug")) e.printStackTrace(commandLine.getErr());
            return 1;
        });
        cli.setExecutionStrategy(Main::refuseUnknownCommands);
        HelpSummaries.install(cli);
        return cli;
    }

    /**
     * With {@code --help} picocli tolerates words it does not know and prints the main help with exit code 0, so
     * {@code servelab calibrate --help} looked like a success; it is refused like any other unknown command.
     */
    private static int refuseUnknownCommands(CommandLine.ParseResult parsed) {
        var last = parsed;
        while (last.hasSubcommand()) last = last.subcommand();
        var cli = last.commandSpec().commandLine();
        if (!last.unmatched().isEmpty() && !cli.getSubcommands().isEmpty()) {
            var err = cli.getErr();
            err.println(last.commandSpec().qualifiedName() + ": unknown command '" + last.unmatched().getFirst()
                    + "'; commands: " + String.join(", ", cli.getSubcommands().keySet()));
            err.flush();
            return 2;
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    /**
     * The message and, where it does not already say so, each cause's: a file-system error's message is often the
     * bare path ({@code /proc/x}) and a write's the file without the reason ({@code No space left on device}).
     */
    static String message(Throwable e) {
        // a wrapper made with new UncheckedIOException(cause) has the cause's toString() as its message
        while (e.getCause() != null && String.valueOf(e.getMessage()).equals(e.getCause().toString())) e = e.getCause();
        var text = new StringBuilder(describe(e));
        for (var cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            // only the operating system's reasons: a parser's cause was already put in the file's words
            if (!(cause instanceof java.io.IOException) || cause instanceof com.fasterxml.jackson.core.JacksonException) break;
            var more = describe(cause);
            if (!text.toString().contains(more)) text.append(": ").append(more);
        }
        return Printable.of(text.toString());
    }

    private static String describe(Throwable e) {
        if (e instanceof java.nio.file.FileSystemException fs) return FileErrors.describe(fs);
        if (e instanceof com.fasterxml.jackson.core.JacksonException j) {
            // getMessage() adds "at [Source: REDACTED (`StreamReadFeature...` disabled)...]", Jackson's not ours
            var at = j.getLocation() == null ? "" : " (line " + j.getLocation().getLineNr() + ", column "
                    + j.getLocation().getColumnNr() + ")";
            return "not valid JSON: " + j.getOriginalMessage() + at;
        }
        var m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** The version from the jar manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"ServeLab " + version(), "Java " + Runtime.version()};
        }
    }

    static String version() {
        var v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
