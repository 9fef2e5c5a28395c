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

    private static Outcome execute(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void anUnknownCommandWithHelpIsRefusedNotAnsweredWithTheMainHelp() {
        var r = execute("frobnicate", "--help");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("servelab: unknown command 'frobnicate'; commands: demo, run,"), r.err());
        assertEquals("", r.out());
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
    void errorsNameTheWholeCommand() {
        var r = execute("import", "vllm", "/nonexistent/results.json", "--out", "/nonexistent/out");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("servelab import vllm: "), r.err());
        assertFalse(r.err().startsWith("servelab vllm:"), r.err());
    }
}
