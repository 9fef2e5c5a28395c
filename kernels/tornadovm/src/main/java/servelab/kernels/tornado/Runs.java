package servelab.kernels.tornado;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import servelab.kernels.model.SequenceChunk;

/**
 * A step cut into runs of a {@link DeviceForward.Capacity}, in order: whole chunks while they fit (tokens, logit rows,
 * chunks, block-table entries), and a chunk of more tokens than a run holds cut into pieces, the last one full and
 * carrying its logit rows. Running them one after the other gives the step's result: a token attends only to its own
 * sequence's positions, stored by an earlier run or earlier in its own.
 */
final class Runs {
    private Runs() {}

    static List<List<SequenceChunk>> of(List<SequenceChunk> batch, DeviceForward.Capacity capacity) {
        var runs = new ArrayList<List<SequenceChunk>>();
        var run = new ArrayList<SequenceChunk>();
        int tokens = 0;
        int rows = 0;
        int entries = 0;
        for (var chunk : batch) {
            for (var piece : pieces(chunk, capacity)) {
                int t = piece.tokens().length;
                int e = capacity.blocksOf(piece);
                if (!run.isEmpty() && (tokens + t > capacity.tokens() || rows + piece.logitTokens() > capacity.logitRows()
                        || run.size() == capacity.sequences() || entries + e > capacity.tableEntries())) {
                    runs.add(run);
                    run = new ArrayList<>();
                    tokens = 0;
                    rows = 0;
                    entries = 0;
                }
                run.add(piece);
                tokens += t;
                rows += piece.logitTokens();
                entries += e;
            }
        }
        if (!run.isEmpty()) runs.add(run);
        return runs;
    }

    private static List<SequenceChunk> pieces(SequenceChunk chunk, DeviceForward.Capacity capacity) {
        int n = chunk.tokens().length;
        int most = Math.min(capacity.tokens(), capacity.logitRows());
        if (chunk.logitTokens() > most) {
            throw new IllegalArgumentException("a chunk (" + chunk.kv() + ") wants " + chunk.logitTokens()
                    + " logit rows; a device run holds " + most);
        }
        if (n <= capacity.tokens()) return List.of(chunk);
        var pieces = new ArrayList<SequenceChunk>();
        int last = n - capacity.tokens();   // a full last piece holds every logit row
        for (int from = 0; from < last; from += capacity.tokens()) {
            pieces.add(piece(chunk, from, Math.min(last, from + capacity.tokens()), 0));
        }
        pieces.add(piece(chunk, last, n, chunk.logitTokens()));
        return pieces;
    }

    private static SequenceChunk piece(SequenceChunk chunk, int from, int to, int logitTokens) {
        return new SequenceChunk(Arrays.copyOfRange(chunk.tokens(), from, to), chunk.startPosition() + from, chunk.kv(),
                logitTokens);
    }
}
