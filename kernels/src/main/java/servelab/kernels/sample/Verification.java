package servelab.kernels.sample;

/**
 * The outcome of verifying k drafted tokens: how many were accepted, and the tokens to append, which are the
 * accepted drafts followed by one token from the target model (a correction after a rejection, or a bonus token
 * when all k were accepted). So {@code tokens.length == accepted + 1}.
 *
 * @param accepted drafts accepted, 0..k
 * @param tokens   tokens to append to the sequence
 */
public record Verification(int accepted, int[] tokens) {
    public Verification {
        if (accepted < 0 || tokens.length != accepted + 1) {
            throw new IllegalArgumentException("Verification of " + accepted + " accepted drafts must carry " + (accepted + 1)
                    + " tokens, got " + tokens.length);
        }
    }

    @Override
    public String toString() {
        return "Verification[accepted=" + accepted + ", tokens=" + java.util.Arrays.toString(tokens) + "]";
    }
}
