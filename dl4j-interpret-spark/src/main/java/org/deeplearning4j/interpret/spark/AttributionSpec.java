package org.deeplearning4j.interpret.spark;

import org.deeplearning4j.interpret.attribution.Attribution;
import org.deeplearning4j.interpret.attribution.Baseline;
import org.deeplearning4j.interpret.attribution.Baselines;
import org.deeplearning4j.interpret.attribution.GradCam;
import org.deeplearning4j.interpret.attribution.GradientXInput;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.NoiseTunnel;
import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.model.InterpretableModel;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A serializable description of an attribution method, built into the method itself on each executor (the method
 * classes hold their model and are not shipped). Options are checked when the spec is made; the names of layers are
 * checked against the model on the driver before any work starts.
 *
 * <pre>{@code
 * AttributionSpec.integratedGradients(64, AttributionSpec.Reference.zeros());
 * AttributionSpec.occlusion(8, 4, AttributionSpec.Reference.grey());
 * }</pre>
 */
public final class AttributionSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The methods available on Spark. */
    public enum Method { SALIENCY, GRADIENT_X_INPUT, INTEGRATED_GRADIENTS, SMOOTHGRAD, GRAD_CAM, OCCLUSION }

    /** A serializable reference input: the IG baseline or the occlusion patch. */
    public static final class Reference implements Serializable {
        private static final long serialVersionUID = 1L;

        private enum Kind { ZEROS, CONSTANT, GREY, BLURRED }

        private final Kind kind;
        private final double value;

        private Reference(Kind kind, double value) {
            this.kind = kind;
            this.value = value;
        }

        /** @return all zeros in the model's input space */
        public static Reference zeros() {
            return new Reference(Kind.ZEROS, 0);
        }

        /**
         * @param v the value, in the model's input space
         * @return a constant reference
         */
        public static Reference constant(double v) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("Reference value must be finite, got " + v);
            }
            return new Reference(Kind.CONSTANT, v);
        }

        /** @return mid-grey in the model's input space (from its InputSpec) */
        public static Reference grey() {
            return new Reference(Kind.GREY, 0);
        }

        /**
         * @param sigma Gaussian standard deviation in pixels
         * @return a blurred copy of each input (IG only)
         */
        public static Reference blurred(double sigma) {
            if (!(sigma > 0)) {
                throw new IllegalArgumentException("Blur sigma must be > 0, got " + sigma);
            }
            return new Reference(Kind.BLURRED, sigma);
        }

        Baseline baseline() {
            switch (kind) {
                case ZEROS:
                    return Baselines.zeros();
                case CONSTANT:
                    return Baselines.constant(value);
                case GREY:
                    return Baselines.grey();
                default:
                    return Baselines.blurred(value);
            }
        }

        @Override
        public String toString() {
            return kind == Kind.CONSTANT || kind == Kind.BLURRED ? kind.name().toLowerCase() + "(" + value + ")"
                    : kind.name().toLowerCase();
        }
    }

    private final Method method;
    private final int steps;
    private final Reference reference;
    private final int samples;
    private final double noiseLevel;
    private final long seed;
    private final String layer;
    private final int window;
    private final int stride;

    private AttributionSpec(Method method, int steps, Reference reference, int samples, double noiseLevel, long seed,
            String layer, int window, int stride) {
        this.method = method;
        this.steps = steps;
        this.reference = reference;
        this.samples = samples;
        this.noiseLevel = noiseLevel;
        this.seed = seed;
        this.layer = layer;
        this.window = window;
        this.stride = stride;
    }

    /** @return gradient saliency, {@code max_c |d y / d x|} (Simonyan et al. 2014) */
    public static AttributionSpec saliency() {
        return new AttributionSpec(Method.SALIENCY, 0, null, 0, 0, 0, null, 0, 0);
    }

    /** @return gradient x input, summed over channels (Shrikumar et al. 2016) */
    public static AttributionSpec gradientXInput() {
        return new AttributionSpec(Method.GRADIENT_X_INPUT, 0, null, 0, 0, 0, null, 0, 0);
    }

    /**
     * @param steps quadrature steps (e.g. 50)
     * @param baseline the baseline
     * @return integrated gradients (Sundararajan et al. 2017)
     */
    public static AttributionSpec integratedGradients(int steps, Reference baseline) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        if (baseline == null) {
            throw new IllegalArgumentException("baseline is null: use Reference.zeros() for the usual black image");
        }
        return new AttributionSpec(Method.INTEGRATED_GRADIENTS, steps, baseline, 0, 0, 0, null, 0, 0);
    }

    /**
     * @param samples noisy samples per image (e.g. 25)
     * @param noiseLevel noise standard deviation relative to each image's value range (e.g. 0.15)
     * @param seed the noise seed
     * @return SmoothGrad over saliency (Smilkov et al. 2017)
     */
    public static AttributionSpec smoothGrad(int samples, double noiseLevel, long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        }
        if (!(noiseLevel > 0) || !Double.isFinite(noiseLevel)) {
            throw new IllegalArgumentException("noiseLevel must be > 0, got " + noiseLevel);
        }
        return new AttributionSpec(Method.SMOOTHGRAD, 0, null, samples, noiseLevel, seed, null, 0, 0);
    }

    /**
     * @param layer the convolutional layer (null: the last one with a spatial output)
     * @return Grad-CAM (Selvaraju et al. 2017)
     */
    public static AttributionSpec gradCam(String layer) {
        return new AttributionSpec(Method.GRAD_CAM, 0, null, 0, 0, 0, layer, 0, 0);
    }

    /**
     * @param window square patch side in pixels
     * @param stride patch step in pixels
     * @param patch what fills the patch (constant or grey)
     * @return occlusion (Zeiler &amp; Fergus 2014)
     */
    public static AttributionSpec occlusion(int window, int stride, Reference patch) {
        if (window < 1 || stride < 1) {
            throw new IllegalArgumentException("window and stride must be >= 1, got " + window + " and " + stride);
        }
        if (patch == null || patch.kind == Reference.Kind.BLURRED) {
            throw new IllegalArgumentException("The occlusion patch must be zeros, a constant or grey, got " + patch);
        }
        return new AttributionSpec(Method.OCCLUSION, 0, patch, 0, 0, 0, null, window, stride);
    }

    /** @return the method */
    public Method method() {
        return method;
    }

    /**
     * @param model the model on this executor
     * @return the method, ready to attribute
     */
    public Attribution build(InterpretableModel model) {
        switch (method) {
            case SALIENCY:
                return Saliency.builder(model).build();
            case GRADIENT_X_INPUT:
                return GradientXInput.of(model);
            case INTEGRATED_GRADIENTS:
                return IntegratedGradients.builder(model).steps(steps).baselines(reference.baseline()).build();
            case SMOOTHGRAD:
                return NoiseTunnel.builder(model, Saliency.builder(model).build()).samples(samples)
                        .noiseLevel(noiseLevel).seed(seed).build();
            case GRAD_CAM:
                GradCam.Builder g = GradCam.builder(model);
                if (layer != null) {
                    g.layer(layer);
                }
                return g.build();
            default:
                Occlusion.Builder o = Occlusion.builder(model).window(window).stride(stride);
                switch (reference.kind) {
                    case ZEROS:
                        o.baselineValue(0);
                        break;
                    case CONSTANT:
                        o.baselineValue(reference.value);
                        break;
                    default:
                        o.greyBaseline();
                }
                return o.build();
        }
    }

    /** @return the options, for logs and reports */
    public Map<String, String> options() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("method", method.name());
        switch (method) {
            case INTEGRATED_GRADIENTS:
                m.put("steps", String.valueOf(steps));
                m.put("baseline", reference.toString());
                break;
            case SMOOTHGRAD:
                m.put("samples", String.valueOf(samples));
                m.put("noiseLevel", String.valueOf(noiseLevel));
                m.put("seed", String.valueOf(seed));
                break;
            case GRAD_CAM:
                m.put("layer", layer == null ? "(last spatial layer)" : layer);
                break;
            case OCCLUSION:
                m.put("window", String.valueOf(window));
                m.put("stride", String.valueOf(stride));
                m.put("patch", reference.toString());
                break;
            default:
        }
        return m;
    }

    @Override
    public String toString() {
        return "AttributionSpec" + options();
    }
}
