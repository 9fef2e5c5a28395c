/**
 * Jupyter without hand work: {@link servelab.runtime.jupyter.KernelSpec} registers a Java kernel (IJava or JJava
 * when installed, else rapaio from Maven Central) with ServeLab's jars and JVM flags;
 * {@link servelab.runtime.jupyter.NotebookExecutor} executes notebooks headless with nbconvert, retrying a kernel
 * that does not start once.
 */
package servelab.runtime.jupyter;
