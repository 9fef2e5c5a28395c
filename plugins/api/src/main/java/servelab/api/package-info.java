/**
 * ServeLab's plugin SPI: what a policy plugin implements and how it describes itself.
 *
 * <p>A plugin bundle registers one OSGi service of type {@link servelab.api.PluginFactory} per policy. The
 * factory's {@link servelab.api.PluginDescriptor} names the {@linkplain servelab.api.PluginKind kind}, the name,
 * the version and the parameters; the host validates the parameters a run asks for against the descriptor
 * ({@link servelab.api.Params#validate}) and only then calls {@link servelab.api.PluginFactory#create}.
 * With Declarative Services a complete scheduler plugin is one class:
 *
 * {@snippet :
 * @Component(service = PluginFactory.class)
 * public final class ShortestPromptFirst implements PluginFactory<Scheduler> {
 *     public PluginDescriptor descriptor() {
 *         return new PluginDescriptor(PluginKind.SCHEDULER, "shortest-prompt", "1.0.0",
 *                 "Waiting requests with the shortest prompt first; running ones keep their order.", List.of());
 *     }
 *     public Scheduler create(Params params) {
 *         Comparator<SeqView> byPrompt = Comparator.comparingInt(SeqView::promptTokens)
 *                 .thenComparingLong(SeqView::arrivalNanos);
 *         return ctx -> new Ordering(ctx.running(), ctx.waiting().stream().sorted(byPrompt).toList());
 *     }
 * }
 * }
 *
 * <p>Plugins see time only through {@link servelab.api.Clock}, never {@code System.nanoTime()}, so the same
 * code runs in the simulated world (virtual clock) and the real one (wall clock).
 */
@Version("1.2.0")
package servelab.api;

import org.osgi.annotation.versioning.Version;
