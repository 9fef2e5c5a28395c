package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

/** {@code --help}, unknown commands and the prefix of error messages. */
class HelpTest {
    private record Outcome(int code, String out, String err) {}

    /** Runs {@code args} on the command line {@link Main#main} builds for them. */
    private static Outcome execute(String... args) {
        return execute(Main.commandLine(args.length == 0 ? "" : args[0]), args);
    }

    private static Outcome execute(picocli.CommandLine cli, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void aVerbBuildsOnlyItselfAndAnswersAsWithEveryVerbBuilt() {
        // given: the command line for `servelab run ...` and the one with every verb
        var run = Main.commandLine("run");
        // then: run is its only verb (picocli reads every verb's options as it is added), and it answers alike
        assertEquals(java.util.List.of("run"), java.util.List.copyOf(run.getSubcommands().keySet()));
        assertEquals(execute(Main.commandLine(), "run", "--help"), execute(run, "run", "--help"));
        assertEquals(execute(Main.commandLine(), "run", "--frobnicate"),
                execute(Main.commandLine("run"), "run", "--frobnicate"));
        // and help, an unknown word or none build every verb
        for (var word : java.util.List.of("help", "frobnicate", "", "--help")) {
            assertTrue(Main.commandLine(word).getSubcommands().size() > 15, word);
        }
    }

    @Test
    void everyDescriptionIsWrappedAsAParagraphWithoutStubLines() {
        // picocli wrapped each source line on its own: `test --help` had "checks) with" on a line of its own
        var all = Main.commandLine();
        var verbs = new java.util.ArrayList<>(all.getSubcommands().values());
        for (int i = 0; i < verbs.size(); i++) verbs.addAll(verbs.get(i).getSubcommands().values());
        for (var verb : verbs) {
            String name = verb.getCommandSpec().qualifiedName();
            String help = verb.getUsageMessage();
            var prose = HelpSummaries.description(verb.getHelp()).lines()
                    .takeWhile(l -> !l.stripLeading().startsWith("Example")).toList();
            assertTrue(help.contains(String.join(System.lineSeparator(), prose)), name + "'s help:\n" + help);
            int width = verb.getCommandSpec().usageMessage().width();
            for (int l = 0; l < prose.size(); l++) {
                var line = prose.get(l);
                assertTrue(line.length() <= width, name + ": longer than " + width + ": " + line);
                if (l == prose.size() - 1) continue;
                // wrapped greedily: the next line's first word did not fit on this one
                String next = prose.get(l + 1).strip().split(" ")[0];
                assertTrue(line.length() + 1 + next.length() > width, name + ": '" + next + "' fits after '" + line + "'");
            }
        }
    }

    @Test
    void testsExampleBuildsWhatTheModuleNeedsFromTheCheckout() {
        // without -am, Maven took the sibling modules from ~/.m2: a checkout's edit to one failed to compile
        var r = execute("test", "--help");
        assertTrue(r.out().replaceAll("\\s+", " ").contains("servelab test -pl runtime -am -Dtest=HotSwapTest"), r.out());
    }

    @Test
    void picocliFormatStringsInDescriptionsAreFormatted() {
        // picocli's own help command's description has %n line breaks, which the rewrapping printed as they were
        var r = execute("help", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(!r.out().contains("%n") && r.out().contains("When no COMMAND is given"), r.out());
    }

    @Test
    void anUnknownCommandWithHelpIsRefusedNotAnsweredWithTheMainHelp() {
        var r = execute("frobnicate", "--help");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("servelab: unknown command 'frobnicate'; commands: demo, run,"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void anUnknownCommandIsNamedAsServelabsWithTheNearestCommands() {
        // without --help picocli answered "Unmatched argument at index 0: 'calibrat'", naming no command
        var r = execute("calibrat");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("servelab: unknown command 'calibrat'; commands: demo, run,"), r.err());
        assertTrue(r.err().contains("Did you mean: servelab calibrate"), r.err());
        var nested = execute("notebook", "frobnicate");
        assertTrue(nested.err().startsWith("servelab notebook: unknown command 'frobnicate'; commands: install,"),
                nested.err());
        // an unknown option is picocli's own message still
        assertTrue(execute("run", "--bogus").err().contains("Unknown option: '--bogus'"));
    }

    @Test
    void noCommandIsAUsageErrorThatListsTheCommands() {
        // bare `servelab` printed a usage without a single command, and `servelab trace` its usage, both exiting 0
        var bare = execute();
        assertEquals(2, bare.code());
        assertTrue(bare.err().startsWith("servelab needs a command: demo, run, plugins,"), bare.err());
        assertTrue(bare.err().contains("Commands:"), bare.err());
        for (var group : java.util.List.of("trace", "cache", "import", "notebook")) {
            var r = execute(group);
            assertEquals(2, r.code(), group);
            assertTrue(r.err().contains("servelab " + group + " needs a command: "), r.err());
        }
        // and a bad --slo is a usage error as every bad option value is (it exited 1)
        var slo = execute("run", "--slo", "ttft=abc");
        assertEquals(2, slo.code(), slo.err());
        assertTrue(slo.err().contains("--slo"), slo.err());
    }

    @Test
    void aLogRecordIsOneLineAsEveryOtherMessage() {
        // "Dec 07, 2026 4:21:17 PM servelab.datasets.TraceReader lambda$close$0" and the message on a second line
        Main.oneLineLogRecords();
        var record = new java.util.logging.LogRecord(java.util.logging.Level.WARNING, "t.csv: skipped 1 row");
        assertEquals("servelab: WARNING: t.csv: skipped 1 row" + System.lineSeparator(),
                new java.util.logging.SimpleFormatter().format(record));
    }

    @Test
    void anUnknownSubcommandNamesItsParentCommand() {
        var r = execute("notebook", "frobnicate", "--help");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("servelab notebook: unknown command 'frobnicate'; commands: install, runs, run"),
                r.err());
    }

    @Test
    void theCommandListGivesWholeFirstSentences() {
        var r = execute("--help");
        assertEquals(0, r.code());
        // run's description is wrapped prose; its summary used to stop at "... on a real model (--model), and"
        var run = r.out().substring(r.out().indexOf("\n  run "), r.out().indexOf("\n  plugins "));
        assertTrue(run.replaceAll("\\s+", " ").strip().endsWith("to a run folder."), run);
    }

    @Test
    void notebookHelpListsItsCommandsOnce() {
        var r = execute("notebook", "--help");
        assertEquals(0, r.code());
        assertEquals(1, r.out().split("\n  install ", -1).length - 1, r.out());
    }

    @Test
    void badOptionValuesAreUsageErrorsWithExitCode2() throws Exception {
        // each exited 1, as a failed run does
        var trace = java.nio.file.Files.createTempFile("trace", ".jsonl");
        try {
            java.nio.file.Files.writeString(trace, "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 2, "
                    + "\"hash_ids\": [1]}\n");
            for (var args : java.util.List.of(new String[] {"run", "--set", "noequals"}, new String[] {"run", "--set", "=5"},
                    new String[] {"run", "--executor=gpu"}, new String[] {"ctl", "slots"},
                    new String[] {"ctl", "--port", "70000", "slots"},
                    new String[] {"cache", "replay", trace.toString(), "--blocks", "abc"})) {
                var r = execute(args);
                assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
                assertFalse(r.out().contains("hit ratio"), "nothing printed before the options are checked: " + r.out());
            }
        } finally {
            java.nio.file.Files.deleteIfExists(trace);
        }
    }

    @Test
    void aControlPortFileThatHoldsNoPortIsNamed() throws Exception {
        var run = java.nio.file.Files.createTempDirectory("run");
        try {
            java.nio.file.Files.writeString(run.resolve("control.port"), "garbage\n");
            var r = execute("ctl", "--run", run.toString(), "slots");
            assertEquals(1, r.code());
            assertTrue(r.err().contains(run.resolve("control.port") + " should hold the run's control port (1-65535), "
                    + "but holds 'garbage'"), r.err());
        } finally {
            java.nio.file.Files.deleteIfExists(run.resolve("control.port"));
            java.nio.file.Files.deleteIfExists(run);
        }
    }

    @Test
    void errorsNameTheWholeCommand() {
        var r = execute("import", "vllm", "/nonexistent/results.json", "--out", "/nonexistent/out");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("servelab import vllm: "), r.err());
        assertFalse(r.err().startsWith("servelab vllm:"), r.err());
    }
}
