package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultFoldersTest {
    @Test
    void aDefaultFolderIsAbsoluteUnderTheCheckoutSoThePrintedPathWorksFromAnywhere() throws Exception {
        var folder = DefaultFolders.of("target/default-folders", "azure-fcfs-");
        try {
            assertTrue(folder.isAbsolute(), folder.toString());
            assertEquals(Path.of("target/default-folders").toAbsolutePath(), folder.getParent());
            assertTrue(folder.getFileName().toString().matches("azure-fcfs-\\d{8}-\\d{6}(-\\d+)?"), folder.toString());
        } finally {
            Files.deleteIfExists(folder);
        }
    }

    @Test
    void theStampIsUtcWhateverTheTimeZone() throws Exception {
        var zone = java.util.TimeZone.getDefault();
        java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("Pacific/Chatham")); // UTC+12:45 or +13:45
        try {
            var stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmm");
            var before = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
            var folder = DefaultFolders.of("target/default-folders", "utc-");
            var after = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
            try {
                String name = folder.getFileName().toString();
                assertTrue(name.startsWith("utc-" + before.format(stamp)) || name.startsWith("utc-" + after.format(stamp)),
                        name + " at " + before);
            } finally {
                Files.deleteIfExists(folder);
            }
        } finally {
            java.util.TimeZone.setDefault(zone);
        }
    }

    @Test
    void aDefaultFolderTheCommandNeverWroteIntoIsTakenAwayAtTheEnd() throws Exception {
        // report of a folder that does not exist, bench --list, validate with a bad argument: each left one empty
        var unused = DefaultFolders.of("target/default-folders", "unused-");
        var used = DefaultFolders.of("target/default-folders", "used-");
        Files.writeString(used.resolve("report.md"), "#");
        DefaultFolders.discardUnused();
        assertFalse(Files.exists(unused));
        assertTrue(Files.exists(used.resolve("report.md")));
        Files.delete(used.resolve("report.md"));
        Files.delete(used);
    }

    @Test
    void twoCommandsInTheSameSecondGetTwoFolders(@TempDir Path parent) throws Exception {
        // the second of two runs started in one second was refused: "already holds results"
        var first = DefaultFolders.free(parent, "c-20261207-162517");
        var second = DefaultFolders.free(parent, "c-20261207-162517");
        assertEquals(parent.resolve("c-20261207-162517"), first);
        assertEquals(parent.resolve("c-20261207-162517-2"), second);
        assertTrue(Files.isDirectory(first) && Files.isDirectory(second));
        // and one whose command failed before writing is taken away again
        DefaultFolders.discardIfEmpty(second);
        assertFalse(Files.exists(second));
        Files.writeString(first.resolve("run.json"), "{}");
        DefaultFolders.discardIfEmpty(first);
        assertTrue(Files.exists(first));
    }
}
