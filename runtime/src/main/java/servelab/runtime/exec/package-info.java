/**
 * Executors: what runs a step the engine has committed. Two worlds, a closed set opened through the sealed {@link
 * servelab.runtime.exec.ExecutorSetup}: {@link servelab.runtime.exec.SimulatedSetup} makes {@link
 * servelab.runtime.exec.SimulatedExecutor}s (a cost model prices each step on the virtual clock; {@link
 * servelab.runtime.exec.AcceptanceModel} decides how many speculative drafts are accepted), and {@link
 * servelab.runtime.exec.ModelSetup} makes {@link servelab.runtime.exec.ModelExecutor}s (a batched forward pass of a
 * GGUF Llama model on the kernels, timed on the wall clock). A setup refuses plugin choices its executors cannot
 * serve before loading anything, sizes the KV pool when the experiment does not, and writes the executor's lines of
 * run.json.
 *
 * <p>The model executor follows llama3.java's split of weights from state: a {@link
 * servelab.runtime.exec.LoadedModel} (the mapped GGUF, read-only) is shared by every replica, and each executor holds
 * a {@code ModelInstance} per model it runs (the target, and the draft model of the {@code draft-model} speculator):
 * forward state, a paged KV pool addressed by the engine's block ids, and the host-tier copy of blocks. The engine's
 * swap-outs and swap-ins copy the same block ids in both instances. {@link servelab.runtime.exec.Backend} names the
 * kernels. On {@code tornadovm} an instance's forward pass and pool live on TornadoVM's device
 * ({@link servelab.kernels.model.ResidentForward}, the {@code kernels/tornadovm} module's {@code DeviceForward},
 * loaded by name since the module is opt-in): a step brings back greedy tokens, and logits only when a request
 * samples; swaps copy blocks between the device pool and the host tier. {@code tornadovm-matmul} offloads only the
 * weight matmuls. When TornadoVM, its device or the model's weight format is not there, the run falls back to
 * {@code cpu-vector} and run.json says why ({@code backend_note}).
 *
 * {@snippet :
 * try (var model = LoadedModel.open(Path.of("tiny.gguf"))) {
 *     // engine block ids 0..63 of 16 positions each; the engine hands the executor its steps
 *     var executor = new ModelExecutor(model, ModelExecutor.Options.greedy(), 16, 64);
 *     System.out.println(executor.describe()); // model: tiny.gguf: llama, 2 layers, ... on cpu-vector (...)
 * }
 * }
 *
 * <p>The cost models and their profiles are in {@code exec.cost}.
 */
package servelab.runtime.exec;
