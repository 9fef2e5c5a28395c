/**
 * The plugins built into the runtime, registered by the host as ordinary plugin services (source {@code
 * built-in}): speculators {@code none}, {@code modeled}, {@code layer-skip}, {@code draft-model}; router {@code
 * round-robin}; admission {@code accept-all}. Outside the engine: they reach it only through the plugin API (and,
 * to draft with the executor's model, {@link servelab.runtime.engine.ModelDrafting}).
 */
package servelab.runtime.builtin;
