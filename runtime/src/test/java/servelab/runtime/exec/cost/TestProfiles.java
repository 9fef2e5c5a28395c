package servelab.runtime.exec.cost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Profile files for tests: a hand-computable toy profile, written into a test's temporary folder. */
final class TestProfiles {
    /**
     * Round numbers so every term can be computed by hand:
     * per-layer matmul weights = q 8x(2x4) 64 + k,v 2x8x(1x4) 64 + o (2x4)x8 64 + ffn 3x8x16 384 = 576;
     * LM head 8 x 32 = 256; parameters = 2 x (576 + 2x8) + 2 x 32 x 8 + 8 = 1704; f32 weights = 6816 bytes;
     * weights read per step = (2 x 576 + 256) x 4 = 5632 bytes; KV per token = 2 x 2 layers x 1 head x 4 x 4 B = 64 B;
     * 2 ns per FLOP (1e9 FLOP/s x 0.5), 20 ns per byte (1e8 B/s x 0.5), 10 us overhead.
     */
    static final String TOY = """
            derivation: toy numbers for hand computation
            model:
              name: toy
              layers: 2
              hidden_size: 8
              attention_heads: 2
              kv_heads: 1
              head_dim: 4
              intermediate_size: 16
              vocab_size: 32
              tied_embeddings: false
              weight_dtype: f32
            hardware:
              name: toy-device
              peak_flops_per_s: 1.0e9
              memory_bandwidth_bytes_per_s: 1.0e8
              device_memory_bytes: 1000000
              host_link_bytes_per_s: 1.0e7
              devices: 1
            efficiency:
              compute: 0.5
              bandwidth: 0.5
              host_link: 0.5
              step_overhead_us: 10
            serving:
              kv_dtype: f32
              memory_utilization: 0.5
              activation_reserve_bytes_per_device: 1000
            """;

    private TestProfiles() {
    }

    /** Writes {@code text} to {@code dir/name} and returns the path as a string, as a user passes it. */
    static String write(Path dir, String name, String text) {
        try {
            var file = dir.resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code text} with exactly one occurrence of {@code line} replaced; fails loudly if it does not occur once. */
    static String replace(String text, String line, String replacement) {
        int at = text.indexOf(line);
        if (at < 0 || text.indexOf(line, at + 1) >= 0) throw new IllegalArgumentException("not exactly once: " + line);
        return text.replace(line, replacement);
    }
}
