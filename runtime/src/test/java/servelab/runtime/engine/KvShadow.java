package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import servelab.api.kv.TokenBlocks;

/**
 * An executor that moves KV the way a real one must, on shadow memory: each device block and host slot holds the
 * identity of the content it would hold (a full block's chained key, or which sequence's block it partly fills).
 * Each step it checks the copy lists against the {@link StepBatch} contract, performs every swap-out and then every
 * swap-in, checks that every item's blocks before its start position hold its own tokens (a full block: its key;
 * the partly filled last one: written by this sequence at this position), then "computes" the item's tokens into
 * its blocks, and lets the wrapped executor price the step. A wrong block id in a prefix hit, a swap or a reload
 * shows up as wrong content at the step that reads it.
 */
final class KvShadow implements Executor {
    /** Content of a block: {@code key} when full, else only whose block it is. */
    private record Held(boolean full, long key, long seq, int block, boolean drafted) {}

    private final Executor priced;
    private final int blockSize;
    private final Map<Integer, Held> device = new HashMap<>();
    private final Map<Integer, Held> host = new HashMap<>();
    /** Token identity of a sequence: the engine's own ({@code Sequence.tokens}). */
    Function<Sequence, TokenBlocks> identity;
    /** Each step's copies as text, e.g. {@code "out 3>0"} (device block 3 to host slot 0), {@code "in 0>5"}. */
    final List<List<String>> copies = new ArrayList<>();

    KvShadow(Executor priced, int blockSize) {
        this.priced = priced;
        this.blockSize = blockSize;
    }

    @Override
    public long execute(StepBatch batch, StepResult result) {
        var plan = (CommittedStep) batch;
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
                var held = device.get(batch.blockTable(i)[b]);
                var expected = content(seq, b, start);
                boolean own = held != null && held.seq() == expected.seq() && held.block() == b;
                // a block written by a verification holds draft positions: the sequence's own, whatever was accepted
                boolean ok = held != null && (expected.full() ? held.full() && held.key() == expected.key()
                        || own && held.drafted() : own);
                if (!ok) {
                    throw new AssertionError(seq + ": block " + b + " (device block " + batch.blockTable(i)[b]
                            + ") does not hold its tokens before position " + start + "; copies " + step);
                }
            }
            int end = start + batch.tokens(i);
            int drafts = batch.draftTokens(i);
            for (int b = start / blockSize; b < Math.ceilDiv(end, blockSize); b++) {
                var held = content(seq, b, end - drafts);
                if (drafts > 0 && !held.full()) held = new Held(false, 0, seq.id(), b, true);
                device.put(batch.blockTable(i)[b], held);
            }
        }
        return priced.execute(batch, result);
    }
    private void checkLists(CommittedStep batch) {
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
    private Held content(Sequence seq, int b, int filled) {
        var tokens = identity.apply(seq);
        boolean full = (b + 1) * blockSize <= filled && b < tokens.count();
        return new Held(full, full ? tokens.key(b) : 0, seq.id(), b, false);
    }

    @Override
    public String describe() {
        return "kv shadow over " + priced.describe();
    }

    @Override
    public long selfDraft(SelfDraftBatch batch, int layers, int draftTokens) {
        return priced.selfDraft(batch, layers, draftTokens);
    }

    @Override
    public TokenSpace tokenSpace() {
        return priced.tokenSpace();
    }

    @Override
    public boolean producesTokens() {
        return priced.producesTokens();
    }

    @Override
    public int maxSequenceTokens() {
        return priced.maxSequenceTokens();
    }
}
