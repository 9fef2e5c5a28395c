package servelab.bench.effects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without the shared traces the report is not written over the committed file (which is made on them): it was,
 * quietly, with the synthetic streams' figures.
 */
class EffectsReportTest {
    @Test
    void withoutTheSharedTracesTheCommittedFileIsLeftAsItIs(@TempDir Path dir) throws Exception {
        var before = System.getProperty("servelab.sharedDir");
        System.setProperty("servelab.sharedDir", dir.resolve("no-shared-here").toString());
        try {
            var committed = Path.of("schedulers/POLICY-EFFECTS.md"); // the default, relative to the working folder
            boolean existed = Files.exists(committed);
            long modified = existed ? Files.getLastModifiedTime(committed).toMillis() : 0;
            assertEquals(2, EffectsReport.run(new String[0]));
            assertEquals(existed, Files.exists(committed));
            if (existed) assertEquals(modified, Files.getLastModifiedTime(committed).toMillis());
            assertTrue(Workloads.shared(Workloads.AZURE_CONV).isEmpty());
        } finally {
            if (before == null) System.clearProperty("servelab.sharedDir");
            else System.setProperty("servelab.sharedDir", before);
        }
    }
}
