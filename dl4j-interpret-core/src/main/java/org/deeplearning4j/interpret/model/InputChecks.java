package org.deeplearning4j.interpret.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.util.Arrays;

/** Input validation shared by the model adapters: rank, channels, size, type and finiteness, with fixes named. */
final class InputChecks {
    private InputChecks() {
    }

    /**
     * Validates an NCHW batch against the spec and returns a detached copy in the model's data type.
     *
     * @param spec what the model expects
     * @param dataType the model's data type
     * @param input the batch
     * @param copy false only for an array this model prepared itself (already a private copy in its data type)
     * @return a copy, or the input itself when {@code copy} is false
     */
    static INDArray prepare(InputSpec spec, DataType dataType, INDArray input, boolean copy) {
        if (input == null) {
            throw new IllegalArgumentException("Input is null; expected an NCHW array of shape [N, "
                    + dim(spec.channels()) + ", " + dim(spec.height()) + ", " + dim(spec.width()) + "]");
        }
        if (input.rank() != 4) {
            throw new IllegalArgumentException("Expected an NCHW input of rank 4 [N, " + dim(spec.channels()) + ", "
                    + dim(spec.height()) + ", " + dim(spec.width()) + "], got rank " + input.rank() + " with shape "
                    + Arrays.toString(input.shape()) + (input.rank() == 3 ? "; add the batch dimension with "
                    + "input.reshape(1, c, h, w)" : input.rank() == 2 ? "; reshape flat images to [N, C, H, W]" : ""));
        }
        if (input.size(0) == 0) {
            throw new IllegalArgumentException("Empty batch: the input has 0 examples (shape "
                    + Arrays.toString(input.shape()) + "); pass at least one image");
        }
        if (spec.channels() > 0 && input.size(1) != spec.channels()) {
            throw new IllegalArgumentException("Expected " + spec.channels() + " input channels, got "
                    + input.size(1) + " (shape " + Arrays.toString(input.shape()) + ")"
                    + (input.size(3) == spec.channels() ? "; the input looks NHWC: use input.permute(0, 3, 1, 2)" : ""));
        }
        if (spec.hasSpatialSize() && (input.size(2) != spec.height() || input.size(3) != spec.width())) {
            throw new IllegalArgumentException("Expected input images of " + spec.height() + "x" + spec.width()
                    + ", got " + input.size(2) + "x" + input.size(3) + "; resize the images first");
        }
        if (!input.dataType().isFPType()) {
            throw new IllegalArgumentException("Expected a floating-point input, got " + input.dataType());
        }
        // a finite sum proves every value finite (one reduction, 15x faster than the two element-wise conditions,
        // which took 2 ms per 224x224 image); a sum that overflowed is told apart by the exact checks
        if (!Double.isFinite(input.sumNumber().doubleValue()) && (BooleanIndexing.or(input, Conditions.isNan())
                || BooleanIndexing.or(input, Conditions.isInfinite()))) {
            throw new IllegalArgumentException("The input contains NaN or infinite values; clean or re-normalise "
                    + "the images before interpreting them");
        }
        return copy ? input.castTo(dataType).dup() : input;
    }

    /**
     * Data on another scale than the spec says (0..255 images for a 0..1 model, or the reverse) passes every shape
     * check and gives confident nonsense. This spots the two common mistakes.
     *
     * @param spec what the model expects
     * @param x a validated batch
     * @param first whether this is the model's first batch (the 0..1-for-0..255 check runs only there: scaled path
     *              points of integrated gradients legitimately have a small range)
     * @return a warning, or empty when the values look like the spec's range
     */
    static java.util.Optional<String> rangeWarning(InputSpec spec, INDArray x, boolean first) {
        double range = spec.pixelMax() - spec.pixelMin();
        double maxMean = 0;
        double minMean = 0;
        for (int c = 0; c < x.size(1); c++) {
            maxMean = Math.max(maxMean, spec.channelMean(c));
            minMean = Math.min(minMean, spec.channelMean(c));
        }
        double hi = spec.pixelMax() - minMean;
        double lo = spec.pixelMin() - maxMean;
        double max = x.maxNumber().doubleValue();
        double min = x.minNumber().doubleValue();
        if (max > hi + range || min < lo - range) {
            return java.util.Optional.of(String.format(java.util.Locale.ROOT, "Input values range over [%.4g, %.4g], "
                    + "far outside the model's input range [%.4g, %.4g] (InputSpec pixel range %s..%s): %s", min, max,
                    lo, hi, spec.pixelMin(), spec.pixelMax(), range <= 2 && max > 2
                    ? "these look like 0..255 pixels for a 0..1 model; divide by 255 (or declare "
                    + "InputSpec.pixelRange(0, 255) if the model was trained on 0..255)"
                    : "check the preprocessing (scaling, mean subtraction) against how the model was trained"));
        }
        if (first && range >= 100 && max - min > 0 && max <= 1.5 && min >= -1.5) {
            return java.util.Optional.of(String.format(java.util.Locale.ROOT, "Input values range over [%.4g, %.4g], "
                    + "a tiny part of the model's pixel range %s..%s: these look like 0..1 pixels for a 0..255 model; "
                    + "use InputSpec.toModelInput(display) or multiply by 255", min, max, spec.pixelMin(),
                    spec.pixelMax()));
        }
        return java.util.Optional.empty();
    }

    /**
     * One model's watch over its inputs' scale: {@link #rangeWarning} on each batch (the first batch also for the
     * 0..1-for-0..255 case), one warning per model at most. Thread-safe.
     */
    static final class RangeWatch {
        private final java.util.concurrent.atomic.AtomicBoolean checked = new java.util.concurrent.atomic
                .AtomicBoolean();
        private final java.util.concurrent.atomic.AtomicBoolean warned = new java.util.concurrent.atomic
                .AtomicBoolean();

        /**
         * @param spec the model's spec
         * @param x a validated batch
         * @param log where the warning goes
         */
        void check(InputSpec spec, INDArray x, org.slf4j.Logger log) {
            if (warned.get()) {
                return;
            }
            rangeWarning(spec, x, !checked.getAndSet(true)).ifPresent(w -> {
                if (!warned.getAndSet(true)) {
                    log.warn(w);
                }
            });
        }
    }

    private static String dim(long d) {
        return d > 0 ? String.valueOf(d) : "?";
    }


    /**
     * @param x a prepared input batch
     * @param reference a reference input (DeepLIFT's)
     * @return the reference in the input's data type
     * @throws IllegalArgumentException if its shape differs from the input's
     */
    static INDArray reference(INDArray x, INDArray reference) {
        if (!java.util.Arrays.equals(reference.shape(), x.shape())) {
            throw new IllegalArgumentException("The reference must have the input's shape "
                    + java.util.Arrays.toString(x.shape()) + ", got " + java.util.Arrays.toString(reference.shape()));
        }
        return reference.castTo(x.dataType());
    }

    /**
     * @param info the layer
     * @param y unit row
     * @param x unit column
     * @throws IllegalArgumentException when the position is outside the layer's spatial size
     */
    static void unitPosition(LayerInfo info, long y, long x) {
        long[] shape = info.outputShape();
        long h = shape.length == 3 ? shape[1] : 1;
        long w = shape.length == 3 ? shape[2] : 1;
        if (y < 0 || x < 0 || y >= h || x >= w) {
            throw new IllegalArgumentException("Unit position (" + y + ", " + x + ") is outside layer '" + info.name()
                    + "' of spatial size " + h + "x" + w);
        }
    }

    /**
     * Checks a replacement activation against the batch and the layer's shape.
     *
     * @param x the input batch
     * @param layer layer name, for messages
     * @param layerShape the layer's activation shape without the batch dimension, or null when unknown
     * @param override the replacement (null: nothing to check)
     * @param dataType the model's data type
     */
    static void override(INDArray x, String layer, long[] layerShape, INDArray override, DataType dataType) {
        if (override == null) {
            return;
        }
        long[] expected = null;
        if (layerShape != null) {
            expected = new long[layerShape.length + 1];
            expected[0] = x.size(0);
            System.arraycopy(layerShape, 0, expected, 1, layerShape.length);
        }
        if (override.size(0) != x.size(0) || (expected != null && !Arrays.equals(expected, override.shape()))) {
            throw new IllegalArgumentException("Override for layer '" + layer + "' has shape "
                    + Arrays.toString(override.shape()) + " but the layer's activation for this batch has shape "
                    + (expected == null ? "[" + x.size(0) + ", ...]" : Arrays.toString(expected)));
        }
        if (override.dataType() != dataType) {
            throw new IllegalArgumentException("Override must be " + dataType + ", got " + override.dataType());
        }
    }
}
