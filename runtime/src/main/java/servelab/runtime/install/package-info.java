/**
 * Where a built checkout keeps what child processes need: the runtime's class path, the JVM flags, benchmark jars
 * and the Jupyter kernel jar ({@link servelab.runtime.install.Installation},
 * {@link servelab.runtime.install.BenchmarkJar}). Used by {@code servelab bench} and {@code servelab notebook}.
 */
package servelab.runtime.install;
