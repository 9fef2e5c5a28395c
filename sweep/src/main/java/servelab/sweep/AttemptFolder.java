package servelab.sweep;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The scratch folder of one attempt at a point ({@code POINT/ATTEMPT}), with a lock file beside it ({@code
 * ATTEMPT.lock}) held while the attempt runs. Every attempt at the point first deletes the folders nobody holds: those
 * of attempts killed with their process. A live one is never deleted, whichever process or cluster it belongs to: two
 * sweeps of one file, each its own cluster, shared the default work folder and deleted each other's running points.
 */
final class AttemptFolder implements AutoCloseable {
    private static final String LOCK = ".lock";
    /**
     * The lock files this JVM holds, never probed by opening them: on Linux, closing any channel of a file releases
     * every lock the process holds on it.
     */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path pointDir;
    private final Path dir;
    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;

    private AttemptFolder(Path pointDir, Path dir, Path lockFile, FileChannel channel, FileLock lock) {
        this.pointDir = pointDir;
        this.dir = dir;
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks attempt {@code name} of the point in {@code pointDir}, then deletes the point's attempts nobody holds. */
    static AttemptFolder take(Path pointDir, String name) throws IOException {
        Files.createDirectories(pointDir);
        var lockFile = pointDir.resolve(name + LOCK);
        var channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
            if (lock == null) throw new IOException(lockFile + " is locked by another process: the same attempt twice");
        } catch (IOException | OverlappingFileLockException e) {
            channel.close();
            throw e instanceof IOException io ? io : new IOException(lockFile + " is locked: the same attempt twice", e);
        }
        HELD.add(lockFile.toAbsolutePath());
        var attempt = new AttemptFolder(pointDir, pointDir.resolve(name), lockFile, channel, lock);
        attempt.deleteAbandoned();
        return attempt;
    }

    /** The folder the attempt's run writes into (made by the run). */
    Path dir() {
        return dir;
    }

    private void deleteAbandoned() throws IOException {
        try (var entries = Files.list(pointDir)) {
            for (var entry : entries.toList()) {
                var file = entry.getFileName().toString();
                if (entry.equals(dir) || entry.equals(lockFile)) continue;
                var attemptLock = file.endsWith(LOCK) ? entry : pointDir.resolve(file + LOCK);
                if (!held(attemptLock)) {
                    PointTask.delete(pointDir.resolve(file.endsWith(LOCK) ? file.substring(0, file.length() - LOCK.length())
                            : file));
                    Files.deleteIfExists(attemptLock);
                }
            }
        }
    }

    /** Whether a process holds {@code lockFile} (this one included); a missing file is held by nobody. */
    static boolean held(Path lockFile) {
        if (HELD.contains(lockFile.toAbsolutePath())) return true;
        try (var channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            var probe = channel.tryLock();
            if (probe == null) return true;
            probe.release();
            return false;
        } catch (NoSuchFileException none) {
            return false;
        } catch (OverlappingFileLockException ours) {
            return true;
        } catch (IOException e) {
            return true; // when in doubt, keep it
        }
    }

    /** Deletes the attempt's folder, then releases and deletes its lock (and the point's folder when empty). */
    @Override
    public void close() throws IOException {
        try {
            PointTask.delete(dir);
        } finally {
            HELD.remove(lockFile.toAbsolutePath());
            lock.release();
            channel.close();
            Files.deleteIfExists(lockFile);
            try {
                Files.deleteIfExists(pointDir);
            } catch (DirectoryNotEmptyException another) {
                // another attempt's folder (live, or held until its process ends)
            }
        }
    }
}
