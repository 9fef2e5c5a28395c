package servelab.runtime.report.chart;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.IChart;

/** Charts as PNG files or images, drawn without a display ({@code java.awt.headless}). */
public final class Png {

    private Png() {
    }

    /**
     * Writes the chart to {@code file} as PNG, replacing it: through a temporary file moved into place, so a failure
     * (a full disk) leaves no cut-short image, and its error names the file.
     */
    public static void write(IChart chart, Path file) throws IOException {
        headless();
        var tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                if (!ImageIO.write(image(chart), "png", out)) throw new IOException("no PNG writer in this JDK");
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException cleanup) { // (a folder of that name): the chart's own error is the one to say
                e.addSuppressed(cleanup);
            }
            if (e instanceof RuntimeException r) throw r;
            // ImageIO's own text ("I/O error writing PNG file!") says less than its cause
            var why = e instanceof javax.imageio.IIOException && e.getCause() != null ? e.getCause() : e;
            throw new IOException("cannot write " + file + ": " + switch (why) {
                case java.nio.file.NoSuchFileException x -> "no such folder";
                case java.nio.file.DirectoryNotEmptyException x -> "a folder of that name is in the way";
                case java.nio.file.FileSystemException x when x.getReason() != null -> x.getReason();
                default -> why.getMessage();
            }, e);
        }
    }

    /** The chart drawn into an image (what a Jupyter Java kernel shows as a PNG output). */
    public static BufferedImage image(IChart chart) {
        headless();
        return BitmapEncoder.getBufferedImage(chart);
    }

    /**
     * Asks AWT for headless mode unless the JVM was told otherwise, so charts draw on a machine with no display;
     * it takes effect when AWT first starts, which is why every entry point here calls it first.
     */
    static void headless() {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }
}
