package servelab.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.InvocationTargetException;

import org.junit.jupiter.api.Test;

/** Why a TornadoVM backend fell back to the CPU, in words a user can act on. */
class BackendChoiceTest {
    @Test
    void aTornadoVmThatDidNotInitialiseIsSaidSoNotAsNull() {
        // no OpenCL device: the fallback note read "ExceptionInInitializerError: null"
        var hint = ": is there a device and its runtime (OpenCL, CUDA)? `$TORNADOVM_HOME/bin/tornado --devices` lists "
                + "what it finds (PoCL runs OpenCL on the CPU)";
        assertEquals("TornadoVM did not initialise" + hint,
                BackendChoice.reason(new InvocationTargetException(new ExceptionInInitializerError())));
        var withCause = new ExceptionInInitializerError(new IllegalStateException("no OpenCL platform"));
        assertEquals("TornadoVM did not initialise (IllegalStateException: no OpenCL platform)" + hint,
                BackendChoice.reason(withCause));
        assertEquals("IllegalArgumentException: too big", BackendChoice.reason(new IllegalArgumentException("too big")));
    }
}
