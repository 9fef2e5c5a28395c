package servelab.runtime.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import servelab.runtime.experiment.CallerDir;
import servelab.runtime.install.VectorModule;

/** The {@code servelab} command line. Only {@link #main} exits the JVM. */
@Command(name = "servelab", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A testbed for LLM serving algorithms: hot-swappable scheduling, batching and caching "
                + "plugins, replayed against real request traces in simulation or on a real model.")
public final class Main implements Runnable {
    /** The runtime's verbs, in the order {@code --help} lists them (then the modules' {@link CommandProvider}s'). */
    private static final List<Class<?>> COMMANDS = List.of(DemoCommand.class, RunCommand.class, PluginsCommand.class,
            CtlCommand.class, TraceCommand.class, CacheCommand.class, ImportCommand.class, ReportCommand.class,
            BenchCommand.class, CalibrateCommand.class, ValidateCommand.class, NotebookCommand.class,
            NewPluginCommand.class, RecoverCommand.class, TestCommand.class);

    public static void main(String[] args) {
        // the console, charts and messages read the same in every locale, as the vLLM table and the files do: numbers
        // with a point and ASCII digits (German printed "12,6 s", Arabic digits kept the plugin framework from
        // starting), and keys lower-cased without a Turkish dotless i
        Locale.setDefault(Locale.ROOT);
        // Arrow logs through SLF4J; keep its chatter out of the terminal unless asked for
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        oneLineLogRecords();
        VectorModule.launchedWith(args);
        int status;
        try {
            status = commandLine(args.length == 0 ? "" : args[0]).execute(args);
        } catch (OutOfMemoryError e) { // an Error passes picocli's handler: say what to do instead of a stack trace
            boolean given = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .anyMatch(a -> a.startsWith("-Xmx") || a.startsWith("-XX:MaxHeapSize")
                            || a.startsWith("-XX:MaxRAMPercentage") || a.startsWith("-XX:MaxRAM="));
            System.err.println(outOfMemory(args.length == 0 ? "" : args[0], Runtime.getRuntime().maxMemory(), given));
            status = 1;
        }
        DefaultFolders.discardUnused(); // a default folder a command made and never wrote into (it failed, or listed)
        System.exit(status);
    }

    /**
     * What a command that ran out of heap prints: the heap it had ({@code given}: set by a JVM option, not the JVM's
     * default), and how to give it more.
     */
    static String outOfMemory(String verb, long maxHeapBytes, boolean given) {
        String heap = "servelab " + verb + ": out of memory: the JVM's heap holds at most " + (maxHeapBytes >> 20)
                + " MiB (" + (given ? "as a JVM option set it" : "by default a quarter of the machine's memory")
                + "). Give it more with SERVELAB_JAVA_OPTS=-Xmx16g (any JVM heap option)";
        if (verb.equals("report")) { // a run's advice (KV tables, recover) does not apply: it said so to report too
            return heap + ", or report fewer runs at once: report holds each run's columns for its charts but the token"
                    + " lists and most of iterations.arrow (about the run folder's size; record.iteration_every makes"
                    + " iterations.arrow smaller).";
        }
        return heap + ", or make the run smaller: every replica keeps its KV block tables (about 1.4 MB each"
                + " at the default kv.blocks), and a long run's tables are written as it goes (record.iteration_every"
                + " thins iterations.arrow). Results written so far are in the run folder (servelab recover DIR"
                + " if it holds .arrows files).";
    }

    /** The configured command line with every verb (tests call {@code execute} on it and read its output). */
    public static CommandLine commandLine() {
        return commandLine("");
    }

    /**
     * The configured command line for words starting with {@code verb}: when it names a verb other than {@code help},
     * that verb is the only one built (picocli reads every option of every verb it is given, about half of the
     * command line's 0.2-0.4 s in a fresh JVM, much of it in picocli's own classes, which the AOT cache cannot hold);
     * otherwise every verb, so the main help, {@code help VERB} and the unknown-command message list them all.
     */
    static CommandLine commandLine(String verb) {
        var cli = new CommandLine(new Main());
        var ours = COMMANDS.stream().filter(c -> nameOf(c).equals(verb)).toList();
        if (!ours.isEmpty()) {
            cli.addSubcommand(ours.getFirst());
        } else {
            var theirs = new ArrayList<Object>();
            for (var provider : java.util.ServiceLoader.load(CommandProvider.class)) theirs.addAll(provider.commands());
            var named = theirs.stream().filter(c -> nameOf(c.getClass()).equals(verb)).toList();
            if (!named.isEmpty()) {
                cli.addSubcommand(named.getFirst());
            } else {
                for (var command : COMMANDS) cli.addSubcommand(command);
                cli.addSubcommand(CommandLine.HelpCommand.class);
                for (var command : theirs) cli.addSubcommand(command);
            }
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
        var parameterErrors = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((e, args) -> { // picocli said "Unmatched argument at index 0: 'x'", no name
            var at = e.getCommandLine();
            if (e instanceof CommandLine.UnmatchedArgumentException u && !at.getSubcommands().isEmpty()
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().getFirst().startsWith("-")) {
                at.getErr().println(at.getCommandSpec().qualifiedName() + ": unknown command '" + u.getUnmatched().getFirst()
                        + "'; commands: " + String.join(", ", at.getSubcommands().keySet()));
                CommandLine.UnmatchedArgumentException.printSuggestions(u, at.getErr());
                at.getErr().flush();
                return 2;
            }
            return parameterErrors.handleParseException(e, args);
        });
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
        // Jackson's advice to its own users ("enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow") is not ours
        return servelab.runtime.host.Printable.of(JACKSON_ADVICE.matcher(text).replaceAll(""));
    }

    private static final java.util.regex.Pattern JACKSON_ADVICE =
            java.util.regex.Pattern.compile("[:;,]? ?\\(?enable `[A-Za-z_.]+` to allow[^);\\n]*\\)?");

    /**
     * The trace reader's notes (rows skipped) go through java.util.logging, whose default is a dated two-line record
     * naming a lambda: one line, as every other message.
     */
    static void oneLineLogRecords() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "servelab: %4$s: %5$s%6$s%n");
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof java.nio.file.FileSystemException fs) return FileErrors.describe(fs);
        if (e instanceof com.fasterxml.jackson.core.JacksonException j) return "not valid JSON: " + servelab.runtime.record.Json.error(j);
        var m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static String nameOf(Class<?> command) {
        var annotation = command.getAnnotation(Command.class);
        return annotation == null ? "" : annotation.name();
    }

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        // it printed a usage without the commands (a CommandLine of its own had none), and exited 0
        throw MissingCommand.of(spec);
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
