/**
 * Experiments: the YAML file a researcher writes (trace, executor and profile, replicas, plugins with parameters,
 * SLOs, seed, output folder), its {@code --set key=value} overrides, and the runner that turns one into a run
 * folder of Arrow results.
 *
 * {@snippet lang=yaml :
 * name: azure-fcfs
 * seed: 42
 * trace:
 *   file: ../shared/traces/azure_llm_2023/AzureLLMInferenceTrace_conv.before_1845.csv
 * profile: llama-3-8b/h100-80gb
 * plugins:
 *   scheduler: {name: fcfs}
 *   batcher: {name: continuous, params: {max_num_batched_tokens: 4096}}
 * slo: {ttft_ms: 2000, tpot_ms: 100}
 * }
 */
package servelab.runtime.experiment;
