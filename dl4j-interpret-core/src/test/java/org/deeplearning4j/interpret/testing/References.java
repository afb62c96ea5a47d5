package org.deeplearning4j.interpret.testing;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Comparison with an independent reference (PyTorch fixtures), shared by the core's and the ONNX module's tests. */
public final class References {
    /** Largest accepted difference, relative to the reference's largest magnitude. */
    public static final double REL_TOL = 1e-4;

    private References() {
    }

    /**
     * Asserts that {@code actual} is within {@link #REL_TOL} of the reference's largest magnitude everywhere.
     *
     * @param reference the reference values (double precision)
     * @param actual the library's result, any data type, reshaped to the reference's shape
     * @param what what is compared, for the message
     */
    public static void close(INDArray reference, INDArray actual, String what) {
        INDArray a = actual.castTo(DataType.DOUBLE).reshape(reference.shape());
        double scale = reference.amaxNumber().doubleValue();
        double err = a.sub(reference).amaxNumber().doubleValue();
        assertTrue(scale > 0, what + ": empty reference");
        assertTrue(err <= REL_TOL * scale, what + ": differs from PyTorch by " + err + " (scale " + scale + ")");
    }
}
