/**
 * ServeLab's kernels on TornadoVM (opt-in build profile {@code -Ptornadovm}): the kernel bodies in TornadoVM's
 * loop-parallel form ({@link servelab.kernels.tornado.TornadoKernels}) and an adapter that keeps a weight matrix on
 * a device ({@link servelab.kernels.tornado.TornadoMatVec}).
 *
 * {@snippet :
 * try (var onDevice = new TornadoMatVec(model.weights().layers().get(0).wq())) {
 *     onDevice.multiply(x, q);                     // compare: MatMul.reference(wq, x, 1, expected)
 * }
 * }
 */
package servelab.kernels.tornado;
