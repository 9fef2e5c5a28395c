package servelab.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A point's attempt folders: a live one is never deleted, whoever runs it (this JVM, another process), and one whose
 * process is gone is deleted by the next attempt at the point.
 */
class AttemptFolderTest {
    @TempDir Path dir;

    @Test
    void anotherAttemptInThisJvmKeepsItsFolderAndAnAbandonedOneGoes() throws Exception {
        var point = dir.resolve("point");
        // an attempt killed with its process: a folder, and a lock file nobody holds (or none, from an older build)
        Files.createDirectories(point.resolve("gone.x"));
        Files.writeString(point.resolve("gone.x.lock"), "");
        Files.createDirectories(point.resolve("older"));
        try (var first = AttemptFolder.take(point, "c1.m1")) {
            Files.createDirectories(first.dir());
            Files.writeString(first.dir().resolve("run.json"), "{}");
            try (var second = AttemptFolder.take(point, "c2.m2")) {
                assertTrue(Files.exists(first.dir().resolve("run.json")), "a live attempt's folder was deleted");
                assertFalse(Files.exists(point.resolve("gone.x")));
                assertFalse(Files.exists(point.resolve("gone.x.lock")));
                assertFalse(Files.exists(point.resolve("older")));
                assertTrue(AttemptFolder.held(point.resolve("c1.m1.lock")));
                assertEquals(point.resolve("c2.m2"), second.dir());
            }
            assertTrue(Files.exists(first.dir()), "still running");
        }
        assertFalse(Files.exists(point), "the point's folder goes with its last attempt");
    }

    @Test
    void anAttemptHeldByAnotherProcessIsKept() throws Exception {
        // two sweeps of one file, each its own cluster, shared a work folder and deleted each other's running points
        var point = Files.createDirectories(dir.resolve("point"));
        var live = Files.createDirectories(point.resolve("c9.m9"));
        var holder = Files.writeString(dir.resolve("Hold.java"), """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Hold {
                    public static void main(String[] a) throws Exception {
                        try (var c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                             var l = c.lock()) {
                            System.out.println("locked");
                            System.out.flush();
                            System.in.read();
                        }
                    }
                }
                """);
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var process = new ProcessBuilder(java, holder.toString(), point.resolve("c9.m9.lock").toString()).start();
        try {
            var out = new BufferedReader(new InputStreamReader(process.getInputStream()));
            assertEquals("locked", out.readLine());
            assertTrue(AttemptFolder.held(point.resolve("c9.m9.lock")));
            try (var mine = AttemptFolder.take(point, "c1.m1")) {
                assertTrue(Files.isDirectory(live), "another process's live attempt was deleted");
            }
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        // its process gone, the lock is free and the next attempt deletes the folder
        assertFalse(AttemptFolder.held(point.resolve("c9.m9.lock")));
        try (var next = AttemptFolder.take(point, "c1.m1")) {
            assertFalse(Files.exists(live));
        }
    }
}
