package servelab.kernels.model;

/**
 * The logit rows one forward step produced: for each sequence of the batch, in order, {@code logitTokens} rows of
 * {@code vocabularySize} floats. The array belongs to the {@link ForwardState} and is overwritten by its next step.
 *
 * @param values         rows back to back
 * @param vocabularySize floats per row
 * @param firstRow       per sequence, the index of its first row ({@code firstRow[s + 1] - firstRow[s]} rows each;
 *                       one extra entry at the end holds the total)
 */
public record Logits(float[] values, int vocabularySize, int[] firstRow) {
    /** Rows of sequence {@code s}. */
    public int rows(int s) {
        return firstRow[s + 1] - firstRow[s];
    }

    /** Offset in {@link #values()} of row {@code j} of sequence {@code s} (row {@code rows(s) - 1} is its last token). */
    public int offset(int s, int j) {
        if (j < 0 || j >= rows(s)) {
            throw new IndexOutOfBoundsException("sequence " + s + " has " + rows(s) + " logit rows, asked for row " + j);
        }
        return (firstRow[s] + j) * vocabularySize;
    }

    /** A copy of one row. */
    public float[] row(int s, int j) {
        int offset = offset(s, j);
        return java.util.Arrays.copyOfRange(values, offset, offset + vocabularySize);
    }
}
