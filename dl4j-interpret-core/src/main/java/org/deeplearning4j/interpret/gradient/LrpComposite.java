package org.deeplearning4j.interpret.gradient;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which {@link LrpRule} each parameter layer of a network gets: a rule for the first (input) layer, for the lower
 * convolutions, for the other convolutions and for dense layers (the output layer included), with overrides by
 * layer name. Layers without parameters follow fixed rules: activations pass relevance unchanged, max pooling gives
 * each window's relevance to its maximum (ties split equally), and the linear ones (average and global pooling,
 * element-wise sums, padding, up-sampling) use LRP-epsilon with {@link LrpRule#STABILIZER} only. A batch
 * normalization right after a convolution or dense layer is folded into it, so the rule sees one affine layer.
 *
 * <p>The presets follow Montavon et al. 2019 ("Layer-Wise Relevance Propagation: An Overview", section 10.2.2) and
 * Zennit (Anders et al. 2021): {@link #montavon(double, double)} is z^B at the input, gamma 0.25 on the lower half of
 * the convolutions, epsilon 0.25 on the upper half and LRP-0 on dense layers; {@link #epsilonGammaBox(double,
 * double)}, {@link #epsilonPlus()} and {@link #epsilonAlpha2Beta1()} are Zennit's composites of those names.
 */
public final class LrpComposite implements Serializable {
    private static final long serialVersionUID = 1L;

    private final LrpRule first;
    private final LrpRule lowerConvolutions;
    private final int lowerCount;
    private final LrpRule convolutions;
    private final LrpRule dense;
    private final Map<String, LrpRule> byName;

    private LrpComposite(Builder b) {
        this.first = b.first;
        this.lowerConvolutions = b.lowerConvolutions;
        this.lowerCount = b.lowerCount;
        this.convolutions = b.convolutions;
        this.dense = b.dense;
        this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(b.byName));
    }

    /** @return a builder; every layer starts with LRP-epsilon 1e-6 */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param rule the rule for every parameter layer
     * @return the composite
     */
    public static LrpComposite uniform(LrpRule rule) {
        return builder().convolutions(rule).dense(rule).build();
    }

    /**
     * @param low the smallest input value (model input space)
     * @param high the largest input value
     * @return z^B first, gamma 0.25 on the lower half of the convolutions, epsilon 0.25 on the upper half, LRP-0 on
     *         dense layers (Montavon et al. 2019's recommendation for VGG-like networks)
     */
    public static LrpComposite montavon(double low, double high) {
        return builder().first(LrpRule.zBox(low, high)).lowerConvolutions(-1, LrpRule.gamma(0.25))
                .convolutions(LrpRule.epsilon(0.25)).dense(LrpRule.zero()).build();
    }

    /**
     * @param low the smallest input value (model input space)
     * @param high the largest input value
     * @return z^B first, gamma 0.25 on the convolutions, epsilon 1e-6 on dense layers (Zennit's EpsilonGammaBox)
     */
    public static LrpComposite epsilonGammaBox(double low, double high) {
        return builder().first(LrpRule.zBox(low, high)).convolutions(LrpRule.gamma(0.25))
                .dense(LrpRule.epsilon(1e-6)).build();
    }

    /** @return z+ on the convolutions, epsilon 1e-6 on dense layers (Zennit's EpsilonPlus) */
    public static LrpComposite epsilonPlus() {
        return builder().convolutions(LrpRule.zPlus()).dense(LrpRule.epsilon(1e-6)).build();
    }

    /** @return alpha 2 beta 1 on the convolutions, epsilon 1e-6 on dense layers (Zennit's EpsilonAlpha2Beta1) */
    public static LrpComposite epsilonAlpha2Beta1() {
        return builder().convolutions(LrpRule.alphaBeta(2, 1)).dense(LrpRule.epsilon(1e-6)).build();
    }

    /**
     * @param name the layer's name
     * @param index its position among the parameter layers (0 = the first, which reads the input)
     * @param convolution whether it is a convolution
     * @param convIndex its position among the convolutions
     * @param convCount how many convolutions the network has
     * @return the rule for that layer
     */
    public LrpRule ruleFor(String name, int index, boolean convolution, int convIndex, int convCount) {
        LrpRule named = byName.get(name);
        if (named != null) {
            return named;
        }
        if (index == 0 && first != null) {
            return first;
        }
        if (convolution) {
            int lower = lowerCount < 0 ? convCount / 2 : lowerCount;
            return lowerConvolutions != null && convIndex < lower ? lowerConvolutions : convolutions;
        }
        return dense;
    }

    /** @return the rule of every layer when the composite gives all of them the same one, else empty */
    public java.util.Optional<LrpRule> uniformRule() {
        boolean uniform = first == null && lowerConvolutions == null && byName.isEmpty() && convolutions.equals(dense);
        return uniform ? java.util.Optional.of(dense) : java.util.Optional.empty();
    }

    /** @return the layer names given their own rule */
    public Map<String, LrpRule> overrides() {
        return byName;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("LrpComposite[");
        if (first != null) {
            s.append("first ").append(first).append(", ");
        }
        if (lowerConvolutions != null) {
            s.append(lowerCount < 0 ? "lower half of convolutions " : "first " + lowerCount + " convolutions ")
                    .append(lowerConvolutions).append(", ");
        }
        s.append("convolutions ").append(convolutions).append(", dense ").append(dense);
        byName.forEach((k, v) -> s.append(", ").append(k).append(' ').append(v));
        return s.append(']').toString();
    }

    /** Options. */
    public static final class Builder {
        private LrpRule first;
        private LrpRule lowerConvolutions;
        private int lowerCount = -1;
        private LrpRule convolutions = LrpRule.epsilon(1e-6);
        private LrpRule dense = LrpRule.epsilon(1e-6);
        private final Map<String, LrpRule> byName = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * @param rule the rule of the first parameter layer, the one that reads the input
         * @return this
         */
        public Builder first(LrpRule rule) {
            this.first = require(rule);
            return this;
        }

        /**
         * @param count how many of the first convolutions get this rule (-1: the lower half)
         * @param rule their rule
         * @return this
         */
        public Builder lowerConvolutions(int count, LrpRule rule) {
            if (count < -1) {
                throw new IllegalArgumentException("count must be >= 0, or -1 for the lower half, got " + count);
            }
            this.lowerCount = count;
            this.lowerConvolutions = require(rule);
            return this;
        }

        /**
         * @param rule the rule of the convolutions (default epsilon 1e-6)
         * @return this
         */
        public Builder convolutions(LrpRule rule) {
            this.convolutions = require(rule);
            return this;
        }

        /**
         * @param rule the rule of dense and output layers (default epsilon 1e-6)
         * @return this
         */
        public Builder dense(LrpRule rule) {
            this.dense = require(rule);
            return this;
        }

        /**
         * @param name a layer
         * @param rule its rule, whatever its kind
         * @return this
         */
        public Builder layer(String name, LrpRule rule) {
            if (name == null) {
                throw new IllegalArgumentException("layer name is null");
            }
            byName.put(name, require(rule));
            return this;
        }

        private static LrpRule require(LrpRule r) {
            if (r == null) {
                throw new IllegalArgumentException("rule is null");
            }
            return r;
        }

        /** @return the composite */
        public LrpComposite build() {
            return new LrpComposite(this);
        }
    }
}
