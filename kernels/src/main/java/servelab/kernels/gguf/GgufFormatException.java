package servelab.kernels.gguf;

/**
 * A GGUF file that breaks the format or the limits of this reader. The message names the file, the key or tensor
 * concerned and the byte offset where the problem was found.
 */
public final class GgufFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GgufFormatException(String message) {
        super(message);
    }
}
