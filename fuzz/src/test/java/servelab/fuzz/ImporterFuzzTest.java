package servelab.fuzz;

import java.io.IOException;
import java.nio.file.Files;

import com.code_intelligence.jazzer.junit.FuzzTest;

import servelab.runtime.record.ImportException;
import servelab.runtime.record.VidurImporter;
import servelab.runtime.record.VllmImporter;

/** Other tools' result files. Property: a run folder, or an ImportException naming the file. */
class ImporterFuzzTest {

    @FuzzTest(maxDuration = "6s")
    void vllmJson(byte[] bytes) throws IOException {
        var file = Inputs.write("vllm.json", bytes);
        try {
            VllmImporter.importTo(file, Inputs.freshDir("vllm-run"));
        } catch (ImportException e) {
            Inputs.requireNamed(e, "vllm.json");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @FuzzTest(maxDuration = "6s")
    void vidurCsv(byte[] bytes) throws IOException {
        var file = Inputs.write("request_metrics.csv", bytes);
        try {
            VidurImporter.importTo(file, Inputs.freshDir("vidur-run"));
        } catch (ImportException e) {
            Inputs.requireNamed(e, "request_metrics.csv");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
