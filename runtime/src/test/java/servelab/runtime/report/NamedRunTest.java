package servelab.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The names a report gives its runs: short, and different for different folders. */
class NamedRunTest {
    @Test
    void namesTakeAsManyParentsAsTellTheFoldersApart() {
        // the same point of two sweeps: one parent gave both "points/p1"
        assertEquals(List.of("s1/points/p1", "s2/points/p1", "fcfs"), NamedRun.names(List.of(
                Path.of("/w/s1/points/p1"), Path.of("/w/s2/points/p1"), Path.of("/w/runs/fcfs"))));
        assertEquals(List.of("a/run", "b/run"), NamedRun.names(List.of(Path.of("/w/a/run"), Path.of("/w/b/run"))));
        assertEquals(List.of("fcfs", "sjf"), NamedRun.names(List.of(Path.of("/w/fcfs"), Path.of("/w/sjf"))));
    }
}
