/**
 * Matrix-vector and matrix-matrix products over weights in GGUF's layouts: F32, F16, BF16, Q8_0 and Q4_0
 * ({@link servelab.kernels.matmul.WeightFormat}). One class per format holds its reference dot, its vector dot,
 * and conversions to and from floats; {@link servelab.kernels.matmul.MatMul} runs a whole matrix over a batch of
 * input rows. A {@link servelab.kernels.matmul.Matrix} is a view of a memory segment, typically a slice of a mapped
 * GGUF file, so nothing is copied.
 *
 * {@snippet :
 * Matrix w = MatMul.encode(WeightFormat.Q8_0, dense, 4096, 4096);  // quantize a float matrix (tests, writers)
 * float[] x = new float[2 * 4096];                               // two input rows
 * float[] y = new float[2 * 4096];
 * MatMul.reference(w, x, 2, y);                                  // scalar, block by block
 * MatMul.vector(w, x, 2, y, Parallel.of(2));                     // Vector API, rows split over two threads
 * float dot = Q8_0.dotVector(w.data(), w.rowOffset(7), x, 0, 4096);
 * }
 */
package servelab.kernels.matmul;
