/**
 * GGUF files (the format of llama.cpp and most local LLM tools): {@link servelab.kernels.gguf.GgufFile} maps a file
 * once and hands out each tensor as a slice of the mapping, after checking every offset and size against the file;
 * {@link servelab.kernels.gguf.GgufWriter} writes one. Metadata values are {@link servelab.kernels.gguf.GgufValue}s
 * with typed getters on {@link servelab.kernels.gguf.GgufMetadata}; a malformed file raises
 * {@link servelab.kernels.gguf.GgufFormatException} naming the key or tensor and the offset.
 *
 * {@snippet :
 * try (var file = GgufFile.open(Path.of("Llama-3.2-1B-Instruct-Q8_0.gguf"))) {
 *     int layers = file.metadata().int32("llama.block_count");
 *     GgufTensor q = file.tensor("blk.0.attn_q.weight");      // Q8_0 [2048, 2048]: dims[0] is contiguous
 *     MemorySegment bytes = q.data();                         // a view of the mapped file, nothing copied
 * }
 * new GgufWriter().put("general.architecture", GgufValue.ofString("llama"))
 *         .tensor("output_norm.weight", GgmlType.F32, new long[] {2048}, MemorySegment.ofArray(new byte[8192]))
 *         .write(Path.of("out.gguf"));
 * }
 */
package servelab.kernels.gguf;
