/**
 * The Llama-family model: {@link servelab.kernels.model.Llama} (config, tokenizer, weights; immutable) loaded from
 * GGUF, and {@link servelab.kernels.model.Forward#step}, one batched forward pass over any mix of prefill chunks,
 * decodes and speculative verifications ({@link servelab.kernels.model.SequenceChunk}s), with the keys and values in
 * a caller-owned cache and the scratch in a {@link servelab.kernels.model.ForwardState}.
 * {@link servelab.kernels.model.RandomLlama} writes random-weight models for tests and demos.
 *
 * {@snippet :
 * RandomLlama.write(path, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 42);
 * try (var file = GgufFile.open(path)) {
 *     Llama model = Llama.load(file);
 *     var c = model.config();
 *     var state = new ForwardState(c, Kernels.vector());
 *     var cache = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), 16, 256);
 *     var a = new KvAddress.Blocks(new int[] {0, 1});            // sequence a: 20 positions cached
 *     var b = new KvAddress.Blocks(new int[] {2, 3, 4});         // sequence b: prefilling 40 tokens
 *     Logits logits = Forward.step(model, state, cache, List.of(
 *             SequenceChunk.decode(token, 20, a),                 // one decode
 *             SequenceChunk.prefill(prompt, 0, b, true)));        // one whole prefill, logits of its last token
 *     int next = Sampler.ARGMAX.sample(logits.values(), logits.offset(0, 0), logits.vocabularySize());
 * }
 * }
 */
package servelab.kernels.model;
