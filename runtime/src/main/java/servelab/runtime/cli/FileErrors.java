package servelab.runtime.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Words for a file-system error. The JDK's exceptions carry the path as their message and the reason in their type
 * (or in {@code getReason()}, the operating system's text), so printing the message alone said only "/proc/x".
 */
final class FileErrors {
    private FileErrors() {}

    static String describe(FileSystemException e) {
        var where = e.getOtherFile() == null ? e.getFile() : e.getFile() + " -> " + e.getOtherFile();
        var reason = e.getReason() != null && !e.getReason().isBlank() ? e.getReason() : switch (e) {
            case AccessDeniedException a -> "permission denied";
            case NoSuchFileException n -> "no such file or folder";
            case FileAlreadyExistsException f -> "already exists";
            case NotDirectoryException n -> "not a folder";
            case DirectoryNotEmptyException d -> "folder not empty";
            default -> e.getClass().getSimpleName();
        };
        return where == null ? reason : where + ": " + reason;
    }
}
