package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class DefaultFoldersTest {
    @Test
    void aDefaultFolderIsAbsoluteUnderTheCheckoutSoThePrintedPathWorksFromAnywhere() {
        var folder = DefaultFolders.of("runs", "azure-fcfs-");
        assertTrue(folder.isAbsolute(), folder.toString());
        assertEquals(Path.of("runs").toAbsolutePath(), folder.getParent());
        assertTrue(folder.getFileName().toString().matches("azure-fcfs-\\d{8}-\\d{6}"), folder.toString());
    }
}
