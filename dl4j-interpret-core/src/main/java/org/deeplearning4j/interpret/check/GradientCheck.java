package org.deeplearning4j.interpret.check;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A gradient self-check on the user's own model and input: the engine's input gradient of a target, computed on a
 * double-precision copy of the model, is compared with central finite differences {@code (f(x+h) - f(x-h)) / 2h}
 * at randomly chosen input values (seeded). Every gradient-based map (saliency, gradient x input, integrated
 * gradients, SmoothGrad, Grad-CAM's weights) stands on that gradient, so a passed check says the maps of this model
 * are computed right; the result also reports how far the model's own precision (usually FP32) is from the double
 * gradient. The user's model is not changed (the copy is private).
 *
 * <p>The check runs at the input plus seeded uniform noise of {@code jitter} times the pixel range (default
 * {@value #DEFAULT_JITTER}): on flat image regions several max-pooling inputs tie and pre-activations sit exactly
 * on ReLU kinks, where the function has no derivative, every subgradient is valid and finite differences match
 * none of them; the noise moves the check off those points without changing what it verifies.
 *
 * <p>The method is the classic numerical gradient check (e.g. CS231n's notes; Bengio, "Practical recommendations for
 * gradient-based training of deep architectures", 2012, arXiv:1206.5533, section 3.1.3).
 *
 * <pre>{@code
 * GradientCheckResult r = GradientCheck.of(model).run(images, Targets.predicted());
 * if (!r.passed()) throw new IllegalStateException(r.toString());
 * }</pre>
 */
public final class GradientCheck {
    /** Input values checked by default. */
    public static final int DEFAULT_POINTS = 32;
    /** Finite-difference step, in the model's input units. */
    public static final double DEFAULT_STEP = 1e-6;
    /** Largest relative error that passes. */
    public static final double DEFAULT_TOLERANCE = 1e-4;
    /** Default seed of the checked positions and of the jitter. */
    public static final long DEFAULT_SEED = 42L;
    /** Noise added to the input, as a fraction of the pixel range, to move off ties and kinks. */
    public static final double DEFAULT_JITTER = 1e-3;

    private final InterpretableModel model;
    private final int points;
    private final double step;
    private final double tolerance;
    private final long seed;
    private final double jitter;

    private GradientCheck(Builder b) {
        this.model = b.model;
        this.points = b.points;
        this.step = b.step;
        this.tolerance = b.tolerance;
        this.seed = b.seed;
        this.jitter = b.jitter;
    }

    /**
     * @param model the model to check
     * @return a check with the default options
     */
    public static GradientCheck of(InterpretableModel model) {
        return builder(model).build();
    }

    /**
     * @param model the model to check
     * @return a builder
     */
    public static Builder builder(InterpretableModel model) {
        return new Builder(model);
    }

    /**
     * @param input an input batch in the model's input space
     * @param target the differentiated target
     * @return the comparison at {@code points} random input values
     */
    public GradientCheckResult run(INDArray input, Target target) {
        INDArray x = model.spi().prepareInput(input);
        InterpretableModel precise = model.spi().inDoublePrecision();
        double range = model.inputSpec().pixelMax() - model.inputSpec().pixelMin();
        org.nd4j.linalg.api.rng.Random noise = org.nd4j.linalg.factory.Nd4j.getRandomFactory()
                .getNewRandomInstance(seed);
        INDArray xd = x.castTo(DataType.DOUBLE).addi(org.nd4j.linalg.factory.Nd4j.rand(noise, x.shape())
                .castTo(DataType.DOUBLE).subi(0.5).muli(2 * jitter * range));
        x = xd.castTo(x.dataType());
        // pin targets such as "predicted" to the classes of this input, so that the perturbed inputs keep them
        target.validateBatch(xd.size(0));
        String layer = target.layer() == null ? precise.outputLayer() : target.layer();
        INDArray act = precise.activations(xd, layer).get(layer);
        target.validate(layer, act.shape());
        Target fixed = target.fixedFor(act);
        INDArray analytic = precise.gradient(xd, fixed).gradient();
        INDArray own = model.gradient(x, fixed).gradient().castTo(DataType.DOUBLE);
        double scale = Math.max(analytic.amaxNumber().doubleValue(), Double.MIN_NORMAL);
        double precisionGap = own.sub(analytic).amaxNumber().doubleValue() / scale;
        Random r = new Random(seed);
        long perExample = x.length() / x.size(0);
        List<GradientCheckResult.Point> checked = new ArrayList<>();
        double worst = 0;
        for (int k = 0; k < points; k++) {
            int i = r.nextInt((int) x.size(0));
            long j = (long) (r.nextDouble() * perExample);
            INDArray one = xd.get(NDArrayIndex.interval(i, i + 1)).dup();
            INDArray flat = one.reshape(perExample);
            double orig = flat.getDouble(j);
            Target ti = fixed.slice(i, i + 1);
            flat.putScalar(j, orig + step);
            double plus = precise.values(one, ti).getDouble(0);
            flat.putScalar(j, orig - step);
            double minus = precise.values(one, ti).getDouble(0);
            double fd = (plus - minus) / (2 * step);
            double an = analytic.get(NDArrayIndex.point(i)).reshape(perExample).getDouble(j);
            // relative to the larger of the two, floored at a millionth of the map's scale (zero gradients agree)
            double rel = Math.abs(an - fd) / Math.max(Math.max(Math.abs(an), Math.abs(fd)), 1e-6 * scale);
            worst = Math.max(worst, rel);
            checked.add(new GradientCheckResult.Point(i, j, an, fd, rel));
        }
        return new GradientCheckResult(fixed.description(), precise.executionPath().name(), checked, worst,
                tolerance, precisionGap, model.dataType().name());
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private int points = DEFAULT_POINTS;
        private double step = DEFAULT_STEP;
        private double tolerance = DEFAULT_TOLERANCE;
        private long seed = DEFAULT_SEED;
        private double jitter = DEFAULT_JITTER;

        private Builder(InterpretableModel model) {
            this.model = model;
        }

        /**
         * @param n input values to check (default {@value #DEFAULT_POINTS})
         * @return this
         */
        public Builder points(int n) {
            this.points = n;
            return this;
        }

        /**
         * @param h finite-difference step (default {@value #DEFAULT_STEP})
         * @return this
         */
        public Builder step(double h) {
            this.step = h;
            return this;
        }

        /**
         * @param t largest relative error that passes (default {@value #DEFAULT_TOLERANCE})
         * @return this
         */
        public Builder tolerance(double t) {
            this.tolerance = t;
            return this;
        }

        /**
         * @param s seed of the checked positions
         * @return this
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * @param fraction noise added to the input, as a fraction of the pixel range (default
         *                 {@value #DEFAULT_JITTER}; 0 checks the input exactly as given)
         * @return this
         */
        public Builder jitter(double fraction) {
            this.jitter = fraction;
            return this;
        }

        /**
         * @return the check
         * @throws IllegalArgumentException for a bad option
         */
        public GradientCheck build() {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            if (points < 1) {
                throw new IllegalArgumentException("points must be >= 1, got " + points);
            }
            if (!(jitter >= 0)) {
                throw new IllegalArgumentException("jitter must be >= 0, got " + jitter);
            }
            if (!(step > 0) || !(tolerance > 0)) {
                throw new IllegalArgumentException("step and tolerance must be > 0, got step " + step
                        + " and tolerance " + tolerance);
            }
            return new GradientCheck(this);
        }
    }
}
