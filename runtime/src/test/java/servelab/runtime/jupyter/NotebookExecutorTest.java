package servelab.runtime.jupyter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor against a stand-in for {@code python -m nbconvert}: a shell script that answers as told. */
class NotebookExecutorTest {
    @TempDir Path tmp;

    /** A fake python whose n-th call (1, 2, ...) prints {@code outputs[n-1]} and exits with {@code codes[n-1]}. */
    private Path fakePython(String[] outputs, int[] codes) throws Exception {
        var script = new StringBuilder("#!/bin/sh\nn=$(cat \"$0.count\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$0.count\"\n");
        for (int i = 0; i < outputs.length; i++) {
            Files.writeString(tmp.resolve("python.out" + (i + 1)), outputs[i] + "\n");
            script.append("if [ $n -eq ").append(i + 1).append(" ]; then cat \"$0.out").append(i + 1).append("\"; exit ")
                    .append(codes[i]).append("; fi\n");
        }
        script.append("exit 99\n");
        var file = tmp.resolve("python");
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private NotebookExecutor executor(Path python) {
        return new NotebookExecutor(python, "servelab", Duration.ofSeconds(5), 3, Duration.ofSeconds(5), Map.of());
    }

    private int calls() throws Exception {
        return Integer.parseInt(Files.readString(tmp.resolve("python.count")).strip());
    }

    @Test
    void aKernelThatDoesNotStartIsStartedAgain() throws Exception {
        var python = fakePython(new String[] {"RuntimeError: Kernel didn't respond in 60 seconds", "[NbConvertApp] Writing"},
                new int[] {1, 0});
        var outcome = executor(python).execute(tmp.resolve("a.ipynb"), Optional.empty());
        assertTrue(outcome.ok());
        assertEquals(2, outcome.attempts());
        assertEquals(2, calls());
    }

    @Test
    void aKernelThatNeverStartsFailsTheNotebookAfterItsAttempts() throws Exception {
        var python = fakePython(new String[] {"RuntimeError: Kernel died before replying to kernel_info",
                "RuntimeError: Kernel didn't respond in 60 seconds", "RuntimeError: Kernel didn't respond in 60 seconds"},
                new int[] {1, 1, 1});
        var outcome = executor(python).execute(tmp.resolve("a.ipynb"), Optional.empty());
        assertFalse(outcome.ok());
        assertEquals(3, outcome.attempts());
        assertEquals(3, calls());
        assertTrue(outcome.message().contains("Kernel didn't respond"), outcome.message());
    }

    @Test
    void aCellErrorIsNotRetriedAndItsCellIsReportedWithoutTerminalColours() throws Exception {
        var python = fakePython(new String[] {"Traceback (most recent call last):\n  File \"x.py\"\n"
                + "nbclient.exceptions.CellExecutionError: An error occurred while executing the following cell:\n"
                + "throw new RuntimeException(\"boom\");\n\u001B[1m\u001B[31mjava.lang.RuntimeException: boom\u001B[0m"},
                new int[] {1});
        var outcome = executor(python).execute(tmp.resolve("a.ipynb"), Optional.empty());
        assertFalse(outcome.ok());
        assertEquals(1, outcome.attempts());
        assertEquals(1, calls());
        assertEquals("nbclient.exceptions.CellExecutionError: An error occurred while executing the following cell:\n"
                + "throw new RuntimeException(\"boom\");\njava.lang.RuntimeException: boom", outcome.message());
    }

    @Test
    void theCommandExecutesOnTheNamedKernelWithBothTimeoutsAndNoTimestamps() {
        var command = executor(Path.of("/usr/bin/python3")).command(Path.of("nb/a.ipynb"), Optional.of(Path.of("out")));
        assertEquals(java.util.List.of("/usr/bin/python3", "-m", "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.kernel_name=servelab", "--ExecutePreprocessor.startup_timeout=5",
                "--ExecutePreprocessor.timeout=5", "--ExecutePreprocessor.record_timing=False", "--output-dir", "out",
                "nb/a.ipynb"), command);
    }

    @Test
    void aPythonWithoutJupyterIsExplainedWithTheDebianPackages() throws Exception {
        var python = fakePython(new String[] {"ModuleNotFoundError: No module named 'nbconvert'"}, new int[] {1});
        var e = assertThrows(IllegalStateException.class, () -> executor(python).requireJupyter());
        assertTrue(e.getMessage().contains("No module named 'nbconvert'")
                && e.getMessage().contains("apt-get install -y jupyter-nbconvert python3-nbclient jupyter-client "
                + "python3-ipykernel"), e.getMessage());
    }
}
