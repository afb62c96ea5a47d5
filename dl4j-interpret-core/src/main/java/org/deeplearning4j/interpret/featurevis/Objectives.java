package org.deeplearning4j.interpret.featurevis;

import org.deeplearning4j.interpret.targets.Targets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Factories for feature-visualization {@link Objective}s (Olah et al., "Feature Visualization", Distill 2017;
 * Simonyan et al. 2014 for class models with an L2 penalty, {@code X* = argmax S_c(X) - alpha ||X||^2}).
 *
 * <pre>{@code
 * Objectives.channel("block4_conv3", 12)                          // what a channel looks for
 * Objectives.neuron("block4_conv3", 12, 7, 7)                     // one unit at the centre
 * Objectives.deepDream("block4_conv3")                            // the whole layer, DeepDream
 * Objectives.classLogit(281).minus(Objectives.l2().times(0.05))   // a class model with the L2 penalty
 * Objectives.direction("block4_conv3", v0, 1.0)                   // v(X).v0 weighted by cosine, as Lucid
 * Objectives.channel("conv2", 3).minus(Objectives.diversity("conv2").times(100))   // diverse restarts
 * }</pre>
 * Layer names are checked against the model when the optimisation starts; a {@code null} layer means the output.
 */
public final class Objectives {
    /** Default blur penalty width, in pixels. */
    public static final double DEFAULT_BLUR_SIGMA = 1.0;

    private Objectives() {
    }

    /**
     * @param layer layer name
     * @param channel channel (or unit of a dense layer)
     * @param y row in the feature map
     * @param x column in the feature map
     * @return the activation of one neuron
     */
    public static Objective neuron(String layer, int channel, int y, int x) {
        requireLayer(layer);
        return new LayerTerms.TargetTerm(Targets.neuron(layer, channel, y, x),
                "Neuron[" + layer + ":" + channel + "@" + y + "," + x + "]", false);
    }

    /**
     * @param layer layer name
     * @param channel channel (or unit of a dense layer)
     * @return the spatial mean of one channel
     */
    public static Objective channel(String layer, int channel) {
        requireLayer(layer);
        return new LayerTerms.TargetTerm(Targets.channel(layer, channel), "Channel[" + layer + ":" + channel + "]",
                false);
    }

    /**
     * @param layer layer name
     * @param channels channels, one per image of the batch
     * @return image {@code i} maximises channel {@code channels[i]}: a layer's channels visualised in one batch
     */
    public static Objective channels(String layer, int... channels) {
        requireLayer(layer);
        List<Objective> parts = new ArrayList<>();
        for (int c : channels) {
            parts.add(channel(layer, c));
        }
        return perImage(parts);
    }

    /**
     * @param layer layer name
     * @return DeepDream: the mean squared activation of the whole layer
     */
    public static Objective deepDream(String layer) {
        requireLayer(layer);
        return new LayerTerms.LayerPower(layer);
    }

    /**
     * @param cls class index
     * @return the class's pre-softmax logit
     */
    public static Objective classLogit(int cls) {
        return new LayerTerms.TargetTerm(Targets.logit(cls), "Logit[" + cls + "]", false);
    }

    /**
     * @param cls class index
     * @return the class's softmax probability (the model's output layer must apply softmax)
     */
    public static Objective classProbability(int cls) {
        return new LayerTerms.TargetTerm(Targets.probability(cls), "Probability[" + cls + "]", true);
    }

    /**
     * @param layer layer name
     * @param v0 direction in the layer's channel space
     * @return {@code v(X) . v0}, averaged over positions
     */
    public static Objective direction(String layer, double[] v0) {
        return direction(layer, v0, 0);
    }

    /**
     * @param layer layer name
     * @param v0 direction in the layer's channel space
     * @param cosinePower weight each position's dot product by its cosine similarity (floored at 0.1) to this power;
     *                    0 for the plain dot product (Lucid uses 1 for activation grids)
     * @return the direction objective averaged over positions
     */
    public static Objective direction(String layer, double[] v0, double cosinePower) {
        requireLayer(layer);
        return new LayerTerms.Direction(layer, v0, -1, -1, cosinePower);
    }

    /**
     * @param layer layer name
     * @param v0 direction in the layer's channel space
     * @param y row of the position
     * @param x column of the position
     * @param cosinePower as {@link #direction(String, double[], double)}
     * @return the direction objective at one position: {@code argmax_X v(X)[y, x] . v0}
     */
    public static Objective directionAt(String layer, double[] v0, int y, int x, double cosinePower) {
        requireLayer(layer);
        if (y < 0 || x < 0) {
            throw new IllegalArgumentException("Position must be non-negative, got (" + y + ", " + x + ")");
        }
        return new LayerTerms.Direction(layer, v0, y, x, cosinePower);
    }

    /**
     * Whole-layer activation match: at every position {@code p}, {@code v(X)[p] . target[:, p]} (weighted by the
     * cosine similarity to a power), averaged over positions. Maximising it gives one image that the layer sees like
     * the target activation: "what does the whole layer see" (Olah et al., "The Building Blocks of
     * Interpretability", Distill 2018).
     *
     * @param layer layer name
     * @param target the activation to reproduce, {@code [C, h, w]} (or {@code [1, C, h, w]})
     * @param cosinePower as {@link #direction(String, double[], double)}
     * @return the objective
     */
    public static Objective activationMatch(String layer, org.nd4j.linalg.api.ndarray.INDArray target,
            double cosinePower) {
        requireLayer(layer);
        org.nd4j.linalg.api.ndarray.INDArray t = target.rank() == 4 ? target.slice(0) : target;
        if (t.rank() != 3) {
            throw new IllegalArgumentException("activationMatch needs a spatial activation [C, h, w], got shape "
                    + java.util.Arrays.toString(target.shape()));
        }
        int c = (int) t.size(0);
        int positions = (int) (t.size(1) * t.size(2));
        double[] flat = t.dup('c').data().asDouble();
        double[][] v = new double[positions][c];
        for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < positions; p++) {
                v[p][ch] = flat[ch * positions + p];
            }
        }
        return new LayerTerms.Direction(layer, v, true, -1, -1, cosinePower);
    }

    /**
     * @param layer layer name
     * @return the diversity penalty: each image's mean Gram-matrix cosine similarity to the others (subtract it)
     */
    public static Objective diversity(String layer) {
        requireLayer(layer);
        return new LayerTerms.Diversity(layer);
    }

    /** @return {@code mean((x - 0.5)^2)} over the display image: the L2 penalty of class models */
    public static Objective l2() {
        return new ImagePenalty(ImagePenalty.Kind.L2, 0);
    }

    /** @return {@code mean|x - 0.5|} over the display image */
    public static Objective l1() {
        return new ImagePenalty(ImagePenalty.Kind.L1, 0);
    }

    /** @return total variation: mean absolute difference of neighbouring pixels */
    public static Objective totalVariation() {
        return new ImagePenalty(ImagePenalty.Kind.TOTAL_VARIATION, 0);
    }

    /** @return the blur penalty with {@link #DEFAULT_BLUR_SIGMA} */
    public static Objective blur() {
        return blur(DEFAULT_BLUR_SIGMA);
    }

    /**
     * @param sigma Gaussian width in pixels
     * @return {@code 0.5 * mean((x - blur(x))^2)}: penalises high frequencies
     */
    public static Objective blur(double sigma) {
        return new ImagePenalty(ImagePenalty.Kind.BLUR, sigma);
    }

    /**
     * @param parts one objective per image of the batch
     * @return image {@code i} maximises {@code parts[i]}
     */
    public static Objective perImage(List<Objective> parts) {
        return new PerImage(parts);
    }

    /**
     * @param parts one objective per image
     * @return image {@code i} maximises {@code parts[i]}
     */
    public static Objective perImage(Objective... parts) {
        return new PerImage(Arrays.asList(parts));
    }

    /**
     * @param terms objectives
     * @return their sum
     */
    public static Objective sum(Objective... terms) {
        if (terms.length == 0) {
            throw new IllegalArgumentException("sum needs at least one objective");
        }
        Objective o = terms[0];
        for (int i = 1; i < terms.length; i++) {
            o = o.plus(terms[i]);
        }
        return o;
    }

    private static void requireLayer(String layer) {
        if (layer == null || layer.isEmpty()) {
            throw new IllegalArgumentException("This objective needs a layer name; use model.layers() to list them");
        }
    }
}
