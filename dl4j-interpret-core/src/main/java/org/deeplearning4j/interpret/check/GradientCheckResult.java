package org.deeplearning4j.interpret.check;

import java.util.List;
import java.util.Locale;

/** The outcome of a {@link GradientCheck}: every checked value, the worst relative error and the verdict. */
public final class GradientCheckResult {
    /** One checked input value. */
    public static final class Point {
        private final int example;
        private final long index;
        private final double analytic;
        private final double finiteDifference;
        private final double relativeError;

        Point(int example, long index, double analytic, double finiteDifference, double relativeError) {
            this.example = example;
            this.index = index;
            this.analytic = analytic;
            this.finiteDifference = finiteDifference;
            this.relativeError = relativeError;
        }

        /** @return the example in the batch */
        public int example() {
            return example;
        }

        /** @return the row-major index of the value within the example ({@code c*H*W + y*W + x}) */
        public long index() {
            return index;
        }

        /** @return the engine's derivative */
        public double analytic() {
            return analytic;
        }

        /** @return the central finite difference */
        public double finiteDifference() {
            return finiteDifference;
        }

        /** @return their relative difference */
        public double relativeError() {
            return relativeError;
        }
    }

    private final String target;
    private final String engine;
    private final List<Point> points;
    private final double maxRelativeError;
    private final double tolerance;
    private final double precisionGap;
    private final String modelPrecision;

    GradientCheckResult(String target, String engine, List<Point> points, double maxRelativeError, double tolerance,
            double precisionGap, String modelPrecision) {
        this.target = target;
        this.engine = engine;
        this.points = List.copyOf(points);
        this.maxRelativeError = maxRelativeError;
        this.tolerance = tolerance;
        this.precisionGap = precisionGap;
        this.modelPrecision = modelPrecision;
    }

    /** @return true if every checked value is within the tolerance */
    public boolean passed() {
        return maxRelativeError <= tolerance;
    }

    /** @return the worst relative error between the engine and finite differences (double precision) */
    public double maxRelativeError() {
        return maxRelativeError;
    }

    /** @return the tolerance used */
    public double tolerance() {
        return tolerance;
    }

    /**
     * @return the largest difference between the model's own gradient (in its precision) and the double-precision
     *         one, relative to the gradient's largest magnitude: what rounding alone changes in the maps
     */
    public double precisionGap() {
        return precisionGap;
    }

    /** @return the checked values */
    public List<Point> points() {
        return points;
    }

    /** @return the engine that computed the gradient */
    public String engine() {
        return engine;
    }

    /** @return the target's description */
    public String target() {
        return target;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Gradient check %s: %d input values of %s on the %s engine, max relative "
                + "error %.2e (tolerance %.0e) against central finite differences in double precision; the "
                + "model's %s gradient is within %.2e of the double one", passed() ? "PASSED" : "FAILED",
                points.size(), target, engine, maxRelativeError, tolerance, modelPrecision, precisionGap);
    }
}
