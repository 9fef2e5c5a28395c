/**
 * Sweeps: many experiments spread over an embedded Hazelcast cluster ({@code servelab sweep}, {@code servelab
 * worker}). A {@link servelab.sweep.SweepFile} becomes a {@link servelab.sweep.SweepPlan} of
 * {@link servelab.sweep.Point}s with stable ids; {@link servelab.sweep.SweepRunner} runs the missing ones on the
 * cluster's durable executor and gathers their files into the sweep folder and {@code sweep.arrow}.
 *
 * {@snippet :
 * var plan = SweepPlan.of(SweepFile.load(Path.of("sweep.yaml")));      // bad keys fail here, naming the axis
 * var member = new MemberOptions("servelab", "127.0.0.1", 5701, List.of(), 4, pluginsDir, workDir);
 * var outcome = SweepRunner.run(plan, Path.of("sweeps/s"), member, null, new SweepProgress.Silent());
 * }
 *
 * The runtime does not depend on this package (nor on Hazelcast): its commands reach {@code servelab} through
 * {@code servelab.runtime.cli.CommandProvider}.
 */
package servelab.sweep;
