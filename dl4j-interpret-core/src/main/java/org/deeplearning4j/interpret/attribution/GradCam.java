package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.LayerGradient;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Grad-CAM: weights each channel of a convolutional layer by the spatial mean of the target's gradient there,
 * {@code cam = relu(sum_k mean_ij(dy/dA_kij) A_k)}, and upsamples the map bilinearly to the input size. The layer
 * defaults to the last layer with a spatial activation. {@link Variant#PLUS_PLUS} gives Grad-CAM++ weights.
 *
 * <p>Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization", ICCV 2017,
 * <a href="https://arxiv.org/abs/1610.02391">arXiv:1610.02391</a>; Chattopadhyay et al., "Grad-CAM++", WACV 2018,
 * <a href="https://arxiv.org/abs/1710.11063">arXiv:1710.11063</a>.
 *
 * <pre>{@code
 * AttributionResult r = GradCam.builder(model).layer("conv3").build().attribute(images, Targets.predicted());
 * }</pre>
 */
public final class GradCam implements Attribution {
    /** Channel-weight formula. */
    public enum Variant {
        /** Spatial mean of the gradient (Selvaraju et al.). */
        GRAD_CAM,
        /** Grad-CAM++ weights from second and third powers of the gradient (Chattopadhyay et al.). */
        PLUS_PLUS
    }

    /** Default: apply the ReLU of the paper (Captum's LayerGradCam leaves it off by default; we follow the paper). */
    public static final boolean DEFAULT_RELU = true;
    /** Guards Grad-CAM++'s denominator. */
    private static final double EPS = 1e-12;

    private final InterpretableModel model;
    private final String layer;
    private final boolean relu;
    private final Variant variant;

    private GradCam(Builder b) {
        this.model = b.model;
        this.layer = b.layer;
        this.relu = b.relu;
        this.variant = b.variant;
    }

    /**
     * @param model the model
     * @return Grad-CAM on the last spatial layer
     */
    public static GradCam of(InterpretableModel model) {
        return builder(model).build();
    }

    /**
     * @param model the model
     * @return a builder
     */
    public static Builder builder(InterpretableModel model) {
        return new Builder(model);
    }

    @Override
    public String name() {
        return variant == Variant.PLUS_PLUS ? "GradCAM++" : "GradCAM";
    }

    /**
     * @param input NCHW batch
     * @param target target
     * @return the class activation map at the layer's resolution, {@code [N, h, w]} (before upsampling)
     */
    public INDArray layerMap(INDArray input, Target target) {
        return cam(model.spi().prepareInput(input), target).map;
    }

    /**
     * The class activation map at the layer's resolution as a full result, as Captum's {@code LayerGradCam} returns
     * it (no upsampling): attributions {@code [N, 1, h, w]}, map {@code [N, h, w]}, the target's values and the
     * options (layer, ReLU, variant, {@code resolution=layer}); {@code .npy} export like any result.
     *
     * @param input NCHW batch
     * @param target target
     * @return the layer-resolution result
     */
    public AttributionResult layerResult(INDArray input, Target target) {
        INDArray x = model.spi().prepareInput(input);
        Cam c = cam(x, target);
        Map<String, String> opts = options(c.layer);
        opts.put("resolution", "layer");
        INDArray map = c.map.dup('c');
        INDArray attributions = map.reshape(map.size(0), 1, map.size(1), map.size(2)).dup('c');
        return new AttributionResult(name(), target.description(), opts, attributions, map, c.values, !relu);
    }

    private Map<String, String> options(String camLayer) {
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("layer", camLayer);
        opts.put("relu", String.valueOf(relu));
        opts.put("variant", variant.name());
        return opts;
    }

    /** The map at the layer's resolution, the target values and the layer used. */
    private static final class Cam {
        final INDArray map;
        final INDArray values;
        final String layer;

        Cam(INDArray map, INDArray values, String layer) {
            this.map = map;
            this.values = values;
            this.layer = layer;
        }
    }

    private Cam cam(INDArray x, Target target) {
        String l = CamLayers.resolve(model, layer);
        LayerGradient lg = model.layerGradient(x, target, l);
        INDArray a = lg.activation();
        CamLayers.checkSpatial(l, a);
        INDArray g = lg.gradient();
        INDArray weights;
        if (variant == Variant.PLUS_PLUS) {
            INDArray g2 = g.mul(g);
            INDArray g3 = g2.mul(g);
            INDArray sumA = a.sum(true, 2, 3);
            INDArray denom = g2.mul(2).addi(g3.mul(sumA.broadcast(a.shape())));
            INDArray nonzero = Transforms.abs(denom, true).gt(EPS).castTo(a.dataType());
            INDArray alpha = g2.div(denom.add(nonzero.rsub(1.0))).muli(nonzero);
            weights = alpha.muli(Transforms.relu(g, true)).sum(2, 3);
        } else {
            weights = g.mean(2, 3);
        }
        INDArray cam = CamLayers.weightedSum(a, weights);
        if (relu) {
            cam = Transforms.relu(cam, false);
        }
        return new Cam(cam, lg.values(), l);
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        INDArray x = model.spi().prepareInput(input);
        Cam c = cam(x, target);
        INDArray[] up = CamLayers.toInputSpace(c.map, x);
        Map<String, String> opts = options(c.layer);
        return new AttributionResult(name(), target.description(), opts, up[0], up[1], c.values, !relu);
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private String layer;
        private boolean relu = DEFAULT_RELU;
        private Variant variant = Variant.GRAD_CAM;

        private Builder(InterpretableModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model is null");
            }
            this.model = model;
        }

        /**
         * @param name convolutional layer (default: the last spatial layer)
         * @return this
         */
        public Builder layer(String name) {
            this.layer = name;
            return this;
        }

        /**
         * @param relu apply the ReLU to the map (default true, as in the paper)
         * @return this
         */
        public Builder relu(boolean relu) {
            this.relu = relu;
            return this;
        }

        /**
         * @param v weight formula (default GRAD_CAM)
         * @return this
         */
        public Builder variant(Variant v) {
            this.variant = v;
            return this;
        }

        /** @return the method; an unknown or non-spatial layer fails here with the valid choices */
        public GradCam build() {
            if (variant == null) {
                throw new IllegalArgumentException("variant must not be null");
            }
            CamLayers.resolve(model, layer);
            return new GradCam(this);
        }
    }
}
