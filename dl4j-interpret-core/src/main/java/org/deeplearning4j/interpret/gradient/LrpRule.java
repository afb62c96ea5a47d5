package org.deeplearning4j.interpret.gradient;

import java.io.Serializable;
import java.util.Locale;

/**
 * A layer-wise relevance propagation rule for a linear layer (convolution, dense, output, and batch normalization
 * folded into the convolution before it). With {@code a} the layer's input, {@code w} its weights, {@code z_j} the
 * (modified) pre-activation and {@code R_j} the relevance of output {@code j}, each rule passes to input {@code i}
 * (Bach et al. 2015, PLoS ONE 10(7); Montavon et al. 2019, "Layer-Wise Relevance Propagation: An Overview"):
 *
 * <ul>
 *   <li>{@link #epsilon(double)}: {@code R_i = sum_j a_i w_ij / (z_j + eps sign(z_j)) R_j}, {@code z = wa + b};
 *       {@link #zero()} is epsilon 0 (LRP-0).</li>
 *   <li>{@link #gamma(double)}: as LRP-0 with {@code w + gamma w+} and {@code b + gamma b+} (favours positive
 *       contributions).</li>
 *   <li>{@link #alphaBeta(double, double)}: {@code alpha (a w)+ / z+ - beta (a w)- / z-}, with {@code alpha - beta
 *       = 1}; positive parts are {@code a+ w+ + a- w-} (and {@code b+}), negative parts {@code a+ w- + a- w+}
 *       ({@code b-}). With {@code beta > 0} it conserves relevance only at outputs that have contributions of both
 *       signs (an output without negative ones passes {@code alpha R}).</li>
 *   <li>{@link #zPlus()}: alpha 1, beta 0 without the bias.</li>
 *   <li>{@link #zBox(double, double)}: the z^B rule for the input layer with pixels in {@code [low, high]}:
 *       {@code (a w - low w+ - high w-) / z}.</li>
 *   <li>{@link #flat()}: relevance spread uniformly over each output's receptive field (weights and inputs 1).</li>
 *   <li>{@link #wSquare()}: proportional to {@code w^2}.</li>
 * </ul>
 *
 * Every division is stabilised: a pre-activation of magnitude under {@value #STABILIZER} passes no relevance (rather
 * than dividing by zero). Immutable.
 */
public final class LrpRule implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Pre-activations smaller than this in magnitude pass no relevance. */
    public static final double STABILIZER = 1e-9;

    /** The rule's formula. */
    public enum Kind { EPSILON, GAMMA, ALPHA_BETA, Z_PLUS, Z_BOX, FLAT, W_SQUARE }

    private final Kind kind;
    private final double a;
    private final double b;

    private LrpRule(Kind kind, double a, double b) {
        this.kind = kind;
        this.a = a;
        this.b = b;
    }

    /**
     * @param eps the stabiliser added to each pre-activation's magnitude (>= 0)
     * @return LRP-epsilon
     */
    public static LrpRule epsilon(double eps) {
        if (!(eps >= 0) || !Double.isFinite(eps)) {
            throw new IllegalArgumentException("LRP epsilon must be finite and >= 0, got " + eps);
        }
        return new LrpRule(Kind.EPSILON, eps, 0);
    }

    /** @return LRP-0 (epsilon 0): relevance in proportion to each input's contribution */
    public static LrpRule zero() {
        return epsilon(0);
    }

    /**
     * @param gamma the weight given to positive contributions (>= 0)
     * @return LRP-gamma
     */
    public static LrpRule gamma(double gamma) {
        if (!(gamma >= 0) || !Double.isFinite(gamma)) {
            throw new IllegalArgumentException("LRP gamma must be finite and >= 0, got " + gamma);
        }
        return new LrpRule(Kind.GAMMA, gamma, 0);
    }

    /**
     * @param alpha weight of the positive part
     * @param beta weight of the negative part, {@code alpha - beta = 1} (e.g. 1 and 0, or 2 and 1)
     * @return LRP-alpha-beta
     */
    public static LrpRule alphaBeta(double alpha, double beta) {
        if (!(beta >= 0) || !Double.isFinite(alpha) || !Double.isFinite(beta) || Math.abs(alpha - beta - 1) > 1e-12) {
            throw new IllegalArgumentException("LRP alpha-beta needs beta >= 0 and alpha - beta = 1 (e.g. 1,0 or 2,1), "
                    + "got alpha " + alpha + ", beta " + beta);
        }
        return new LrpRule(Kind.ALPHA_BETA, alpha, beta);
    }

    /** @return the z+ rule: positive contributions only, bias ignored */
    public static LrpRule zPlus() {
        return new LrpRule(Kind.Z_PLUS, 1, 0);
    }

    /**
     * @param low the smallest input value (in the model's input space)
     * @param high the largest input value
     * @return the z^B rule for the input layer
     */
    public static LrpRule zBox(double low, double high) {
        if (!(low < high) || !Double.isFinite(low) || !Double.isFinite(high)) {
            throw new IllegalArgumentException("The z^B rule needs finite bounds low < high, got " + low + ", " + high);
        }
        return new LrpRule(Kind.Z_BOX, low, high);
    }

    /** @return the flat rule: relevance spread uniformly over each output's receptive field */
    public static LrpRule flat() {
        return new LrpRule(Kind.FLAT, 0, 0);
    }

    /** @return the w-square rule */
    public static LrpRule wSquare() {
        return new LrpRule(Kind.W_SQUARE, 0, 0);
    }

    /** @return the formula */
    public Kind kind() {
        return kind;
    }

    /**
     * @return epsilon of an {@link Kind#EPSILON} rule
     * @throws IllegalStateException for another kind
     */
    public double epsilon() {
        if (kind != Kind.EPSILON) {
            throw new IllegalStateException(this + " is not an epsilon rule");
        }
        return a;
    }

    /**
     * @return gamma of a {@link Kind#GAMMA} rule
     * @throws IllegalStateException for another kind
     */
    public double gamma() {
        return parameter(Kind.GAMMA, a);
    }

    /**
     * @return alpha of an alpha-beta or z+ rule (1 for z+)
     * @throws IllegalStateException for another kind
     */
    public double alpha() {
        return kind == Kind.Z_PLUS ? a : parameter(Kind.ALPHA_BETA, a);
    }

    /**
     * @return beta of an alpha-beta or z+ rule (0 for z+)
     * @throws IllegalStateException for another kind
     */
    public double beta() {
        return kind == Kind.Z_PLUS ? b : parameter(Kind.ALPHA_BETA, b);
    }

    /**
     * @return the lower input bound of a {@link Kind#Z_BOX} rule
     * @throws IllegalStateException for another kind
     */
    public double low() {
        return parameter(Kind.Z_BOX, a);
    }

    /**
     * @return the upper input bound of a {@link Kind#Z_BOX} rule
     * @throws IllegalStateException for another kind
     */
    public double high() {
        return parameter(Kind.Z_BOX, b);
    }

    private double parameter(Kind expected, double value) {
        if (kind != expected) {
            throw new IllegalStateException(this + " is not a " + expected + " rule");
        }
        return value;
    }

    /** @return epsilon, gamma, alpha or the lower bound, by kind */
    public double first() {
        return a;
    }

    /** @return beta or the upper bound, by kind */
    public double second() {
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LrpRule && ((LrpRule) o).kind == kind && ((LrpRule) o).a == a && ((LrpRule) o).b == b;
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Double.hashCode(a) * 7 + Double.hashCode(b);
    }

    @Override
    public String toString() {
        switch (kind) {
            case EPSILON:
                return a == 0 ? "zero" : String.format(Locale.ROOT, "epsilon(%s)", a);
            case GAMMA:
                return String.format(Locale.ROOT, "gamma(%s)", a);
            case ALPHA_BETA:
                return String.format(Locale.ROOT, "alpha%sbeta%s", fmt(a), fmt(b));
            case Z_BOX:
                return String.format(Locale.ROOT, "zBox(%s, %s)", a, b);
            case Z_PLUS:
                return "zPlus";
            case FLAT:
                return "flat";
            default:
                return "wSquare";
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
