/**
 * Llama 3's tokenizer: byte-level BPE over a {@link servelab.kernels.tokenizer.Vocabulary} read from GGUF metadata
 * ({@code tokenizer.ggml.*}), its pre-tokenizer pattern and special tokens, and its chat format
 * ({@link servelab.kernels.tokenizer.ChatTemplate}). {@link servelab.kernels.tokenizer.BpeTrainer} learns small
 * vocabularies for generated test models.
 *
 * {@snippet :
 * var tokenizer = new Tokenizer(Vocabulary.fromGguf(file.metadata()));
 * int[] ids = tokenizer.encode("Hello, world");                       // plain text
 * int[] chat = ChatTemplate.encode(tokenizer, List.of(ChatTemplate.Message.user("Hi")), true);
 * String text = tokenizer.decode(ids);                                // "Hello, world"
 * Vocabulary small = BpeTrainer.train(corpus, 300, BpeTrainer.LLAMA3_SPECIALS);
 * }
 */
package servelab.kernels.tokenizer;
