package servelab.kernels.tornado;

import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * Which TornadoVM device the plans run on: {@code -Dservelab.tornado.device=BACKEND:DEVICE} (indices as
 * {@code tornado --devices} lists them), else TornadoVM's default (backend 0, device 0).
 */
final class DeviceChoice {
    static final String PROPERTY = "servelab.tornado.device";

    private DeviceChoice() {}

    static TornadoExecutionPlan apply(TornadoExecutionPlan plan) {
        String spec = System.getProperty(PROPERTY);
        if (spec == null || spec.isBlank()) {
            return plan;
        }
        int[] at = parse(spec);
        return plan.withDevice(TornadoExecutionPlan.getDevice(at[0], at[1]));
    }

    /** A one-line description of the chosen device: backend, name, description. */
    static String describe() {
        String spec = System.getProperty(PROPERTY);
        int[] at = spec == null || spec.isBlank() ? new int[] {0, 0} : parse(spec);
        var d = TornadoExecutionPlan.getDevice(at[0], at[1]);
        return TornadoRuntimeProvider.getTornadoRuntime().getBackend(at[0]).getBackendType() + " " + d.getPlatformName()
                + " / " + d.getDeviceName();
    }

    private static int[] parse(String spec) {
        var parts = spec.trim().split(":");
        try {
            if (parts.length != 2) throw new NumberFormatException();
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be BACKEND:DEVICE (two indices, e.g. 1:0), was '"
                    + spec + "'");
        }
    }
}
