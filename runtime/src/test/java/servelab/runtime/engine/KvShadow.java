package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * An executor that moves KV the way a real one must, on shadow memory: each device block and host slot holds the
 * identity of the content it would hold (a full block's chained key, or a sequence's partly filled block). Each
 * step it checks the copy lists against the {@link StepBatch} contract, performs every swap-out and then every
 * swap-in, checks that every item's blocks before its start position hold exactly its own tokens, then "computes"
 * the item's tokens into its blocks, and lets the wrapped executor price the step. A wrong block id in a prefix
 * hit, a swap or a reload shows up as wrong content at the step that reads it.
 */
final class KvShadow implements Executor {
    private final Executor priced;
    private final int blockSize;
    private final Map<Integer, Long> device = new HashMap<>();
    private final Map<Integer, Long> host = new HashMap<>();
    private final Map<Long, SeqTokens> identities = new HashMap<>();
    /** Each step's copies as text, e.g. {@code "out 3>0"} (device block 3 to host slot 0), {@code "in 0>5"}. */
    final List<List<String>> copies = new ArrayList<>();

    KvShadow(Executor priced, int blockSize) {
        this.priced = priced;
        this.blockSize = blockSize;
    }

    @Override
    public long execute(StepBatch batch) {
        var plan = (StepPlan) batch;
        checkLists(plan);
        var step = new ArrayList<String>();
        for (int j = 0; j < batch.swapOuts(); j++) {
            host.put(batch.swapOutHost(j), device.get(batch.swapOutDevice(j)));
            step.add("out " + batch.swapOutDevice(j) + ">" + batch.swapOutHost(j));
        }
        for (int j = 0; j < batch.swapIns(); j++) {
            device.put(batch.swapInDevice(j), host.get(batch.swapInHost(j)));
            step.add("in " + batch.swapInHost(j) + ">" + batch.swapInDevice(j));
        }
        copies.add(step);
        for (int i = 0; i < batch.size(); i++) {
            var seq = plan.seq(i);
            int start = batch.startPosition(i);
            for (int b = 0; b < Math.ceilDiv(start, blockSize); b++) {
                Long held = device.get(batch.blockTable(i)[b]);
                long expected = content(seq, b, start);
                if (held == null || held != expected) {
                    throw new AssertionError(seq + ": block " + b + " (device block " + batch.blockTable(i)[b]
                            + ") does not hold its tokens before position " + start + "; copies " + step);
                }
            }
            int end = start + batch.tokens(i);
            for (int b = start / blockSize; b < Math.ceilDiv(end, blockSize); b++) {
                device.put(batch.blockTable(i)[b], content(seq, b, end));
            }
        }
        return priced.execute(batch);
    }

    private void checkLists(StepPlan batch) {
        if (batch.swapInBlocks() != batch.swapIns() || batch.swapOutBlocks() != batch.swapOuts()) {
            throw new AssertionError("copy totals differ from the copy lists");
        }
        var written = new HashSet<Integer>();
        for (int j = 0; j < batch.swapOuts(); j++) {
            if (!written.add(batch.swapOutHost(j))) throw new AssertionError("host slot " + batch.swapOutHost(j) + " written twice");
        }
        // a swap-in writes a distinct block of exactly one item's table, and reads a slot no swap-out writes
        var owners = new HashMap<Integer, Integer>();
        for (int i = 0; i < batch.size(); i++) {
            for (int b = 0; b < batch.blockCount(i); b++) owners.merge(batch.blockTable(i)[b], 1, Integer::sum);
        }
        var filled = new HashSet<Integer>();
        for (int j = 0; j < batch.swapIns(); j++) {
            int block = batch.swapInDevice(j);
            if (written.contains(batch.swapInHost(j))) throw new AssertionError("host slot " + batch.swapInHost(j) + " written and read in one step");
            if (!filled.add(block)) throw new AssertionError("device block " + block + " written by two swap-ins");
            if (owners.getOrDefault(block, 0) != 1) throw new AssertionError("swap-in into device block " + block
                    + ", held by " + owners.getOrDefault(block, 0) + " sequences of the step");
        }
    }

    /** What block {@code b} of {@code seq} holds once its first {@code filled} tokens are computed. */
    private long content(Sequence seq, int b, int filled) {
        var tokens = identities.computeIfAbsent(seq.id(), id -> new SeqTokens(seq, blockSize));
        if ((b + 1) * blockSize <= filled && b < tokens.count()) return tokens.key(b);
        return SeqTokens.mix(seq.id() * 0x9E3779B97F4A7C15L + b * 0x10001L + Math.min(filled - b * blockSize, blockSize));
    }

    @Override
    public String describe() {
        return "kv shadow over " + priced.describe();
    }
}
