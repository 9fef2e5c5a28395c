package servelab.kernels.attention;

/**
 * Where one sequence's keys and values live in a {@link KvCache}: a slot of a {@link ContiguousKvCache}, or a block
 * table into a {@link PagedKvCache}.
 */
public sealed interface KvAddress {
    /** Slot {@code index} of a contiguous cache: positions 0..capacity-1 in one run. */
    record Slot(int index) implements KvAddress {
        public Slot {
            if (index < 0) {
                throw new IllegalArgumentException("Slot.index must be >= 0, was " + index);
            }
        }
    }

    /**
     * Block table of a paged cache: position {@code p} is in block {@code table[p / blockSize]}, row
     * {@code p % blockSize}. The array is the caller's (for example the engine's block table) and is not copied; it must
     * not change while a step that uses it runs.
     */
    record Blocks(int[] table) implements KvAddress {
        public Blocks {
            if (table.length == 0) {
                throw new IllegalArgumentException("Blocks.table must not be empty");
            }
        }

        @Override
        public String toString() {
            return "Blocks" + java.util.Arrays.toString(table);
        }
    }
}
