package servelab.datasets.synthetic;

import java.util.Arrays;
import java.util.Objects;

import servelab.datasets.TraceRequest;

/** How a generated request gets its input and output lengths. */
public sealed interface LengthModel permits LengthModel.Independent, LengthModel.Resampled {

    /** Input and output drawn independently, each from its own distribution. */
    record Independent(Lengths input, Lengths output) implements LengthModel {
        public Independent {
            Objects.requireNonNull(input, "Independent.input");
            Objects.requireNonNull(output, "Independent.output");
        }
    }

    /**
     * (input, output) pairs drawn together, uniformly with replacement, from a real trace: keeps the correlation
     * between prompt and answer length that independent draws lose.
     */
    record Resampled(int[] inputs, int[] outputs) implements LengthModel {
        public Resampled {
            if (inputs.length == 0) throw new IllegalArgumentException("Resampled.inputs must not be empty");
            if (inputs.length != outputs.length) {
                throw new IllegalArgumentException("Resampled.outputs must have as many values as inputs ("
                        + inputs.length + "), had " + outputs.length);
            }
            inputs = inputs.clone();
            outputs = outputs.clone();
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i] < 1 || outputs[i] < 1) {
                    throw new IllegalArgumentException("Resampled pairs must have >= 1 token each, pair " + i + " was ("
                            + inputs[i] + ", " + outputs[i] + ")");
                }
            }
        }

        /** The (input, output) pairs of {@code trace}. */
        public static Resampled from(Iterable<TraceRequest> trace) {
            var inputs = new int[64];
            var outputs = new int[64];
            int n = 0;
            for (var r : trace) {
                if (n == inputs.length) {
                    inputs = Arrays.copyOf(inputs, n * 2);
                    outputs = Arrays.copyOf(outputs, n * 2);
                }
                inputs[n] = r.inputTokens();
                outputs[n++] = r.outputTokens();
            }
            return new Resampled(Arrays.copyOf(inputs, n), Arrays.copyOf(outputs, n));
        }

        public int size() {
            return inputs.length;
        }

        @Override
        public int[] inputs() {
            return inputs.clone();
        }

        @Override
        public int[] outputs() {
            return outputs.clone();
        }

        int input(int i) {
            return inputs[i];
        }

        int output(int i) {
            return outputs[i];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Resampled r && Arrays.equals(r.inputs, inputs) && Arrays.equals(r.outputs, outputs);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(inputs) + Arrays.hashCode(outputs);
        }

        @Override
        public String toString() {
            return "Resampled[" + inputs.length + " pairs]";
        }
    }

    static Independent independent(Lengths input, Lengths output) {
        return new Independent(input, output);
    }
}
