package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.gradient.LrpRule;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything the engines know about one kind of DL4J layer, in one class: its fast-path translation (forward ops and
 * backward rule), its backward override on DL4J's own layers, its LRP, DeepLIFT and RevealCancel rules, its
 * position map (receptive fields, incremental computation), its cost and its data format. The defaults describe a
 * layer no engine has special knowledge of: not on the fast path, DL4J's own backward, no relevance rules, unit to
 * unit. A layer type is registered with its catalogue note in {@link LayerRegistry}; adding a layer means one class
 * here (or reusing one) and its registry line, and the catalogue test then checks it against finite differences on
 * every engine it claims.
 *
 * @param <C> the layer configuration type
 */
public abstract class LayerRules<C extends Layer> {

    // ------------------------------------------------------------------------------------------------ catalogue

    /** @return why every engine refuses this layer type, or null when it is accepted */
    public String refusal() {
        return null;
    }

    /** @return whether the fast path ({@link SameDiffMirror}) translates this layer type ({@link #mirror}) */
    public boolean mirrored() {
        return false;
    }

    /**
     * @param c the configuration
     * @return its data format (the library works on NCHW and refuses NHWC)
     */
    public CNN2DFormat format(C c) {
        return CNN2DFormat.NCHW;
    }

    /**
     * @param c the configuration
     * @return the activation the engines apply at this layer (fused or an activation layer's), or null for none
     */
    public IActivation activation(C c) {
        return org.deeplearning4j.interpret.gradient.LayerCatalogue.activationOf(c);
    }

    /** @return whether the layer is a rectifier with learned slopes, which keeps its true derivative under every ReLU rule */
    public boolean learnedRectifier() {
        return false;
    }

    // ------------------------------------------------------------------------------------------------ fast path

    /** What a fast-path translation needs from the graph being built. */
    interface MirrorContext {
        /** @return the graph */
        SameDiff sd();

        /** @return the network's data type */
        DataType dt();

        /** @return the rank of the layer's input (after preprocessing) */
        int inputRank();

        /** @param rank the rank of the layer's output, when it differs from its input's */
        void outputRank(int rank);

        /**
         * @param name layer
         * @param what what the fast path cannot express
         * @return null (a dry run collects the reason) or throws
         */
        SameDiffMirror.Piece unsupported(String name, String what);

        /**
         * @param name layer
         * @param rt the layer instance
         * @param key parameter key
         * @return a variable wrapping the network's own parameter array
         */
        SDVariable param(String name, org.deeplearning4j.nn.api.Layer rt, String key);

        /**
         * @param name layer
         * @param rt the layer instance
         * @param key parameter key of a {@code [1, n]} row
         * @return a variable wrapping a rank-1 view of the row
         */
        SDVariable vector(String name, org.deeplearning4j.nn.api.Layer rt, String key);
    }

    /**
     * The layer's forward ops and backward rule (as forward ops) on the fast path.
     *
     * @param cx the graph being built
     * @param name the layer's name
     * @param c its configuration
     * @param x its (preprocessed) input
     * @param rt its instance in the analysis copy (parameters)
     * @return the forward output and backward rule, or {@link MirrorContext#unsupported}'s result
     */
    SameDiffMirror.Piece mirror(MirrorContext cx, String name, C c, SDVariable x, org.deeplearning4j.nn.api.Layer rt) {
        return cx.unsupported(name, c.getClass().getSimpleName());
    }

    // --------------------------------------------------------------------------------------- DL4J's own layers

    /**
     * The input gradient on DL4J's own layers where DL4J's backward is wrong at inference or lacks the library's
     * rules (maxima, batch norm with inference statistics, output layers as logits).
     *
     * @param l the layer instance (its input set by the forward pass)
     * @param c its configuration
     * @param x the layer's input before its forward pass ran (for layers that overwrite it, see
     *          {@link #overwritesInput}), else null
     * @param e the seed at its output
     * @return the seed at its input (before its preprocessor), or null to use DL4J's own backward
     */
    INDArray loopBackward(org.deeplearning4j.nn.api.Layer l, C c, INDArray x, INDArray e) {
        return null;
    }

    /** @return whether DL4J's forward pass of this layer overwrites its input in place */
    boolean overwritesInput() {
        return false;
    }

    // ------------------------------------------------------------------------------------- LRP and DeepLIFT

    /** What a relevance rule needs from the walk at one layer vertex. */
    interface WalkStep {
        /** @return the vertex name */
        String name();

        /** @return whether the vertex is the network's output (exposed as logits) */
        boolean isOutput();

        /** @return the layer instance of the analysis copy (read, never written) */
        org.deeplearning4j.nn.api.Layer layer();

        /** @return the layer's input on the input pass, after its preprocessor */
        INDArray x();

        /** @return the layer's input on the reference pass (DeepLIFT) */
        INDArray x0();

        /** @return the layer's output on the input pass */
        INDArray y();

        /** @return the layer's output on the reference pass */
        INDArray y0();

        /**
         * @param folded whether a batch norm folded into this layer applies (LRP)
         * @return the layer's linear map with replaceable weights
         */
        RuleWalker.Linear linear(boolean folded);

        /**
         * @param convolution whether the layer is a convolution
         * @return the composite's LRP rule for this layer
         */
        LrpRule lrpRule(boolean convolution);

        /**
         * @param affine {scale, shift} per channel of a batch norm
         * @return true when the linear layer feeding this vertex absorbed it (its relevance passes unchanged)
         */
        boolean foldIntoProducer(INDArray[] affine);

        /**
         * @param t an input
         * @return the layer's output for it, through DL4J's own forward pass
         */
        INDArray forward(INDArray t);

        /**
         * @param x an input
         * @param s a seed at the output
         * @return the transposed map at {@code x} (DL4J's own backward)
         */
        INDArray transpose(INDArray x, INDArray s);

        /** @return the packed {@code [positive; negative]} parts of the output's difference (RevealCancel) */
        INDArray deltaOut();

        /** @return the positive and negative parts of the input's difference, after the preprocessor */
        INDArray[] deltaIn();
    }

    /** @return whether the layer is linear with weights (the LRP composite's rules apply to it) */
    boolean parameterLinear() {
        return false;
    }

    /**
     * @param c the configuration
     * @return why LRP and DeepLIFT have no rule for this layer, or null when they do
     */
    String walkRefusal(C c) {
        return c.getClass().getSimpleName();
    }

    /**
     * @param s the walk
     * @param c the configuration
     * @param r relevance at the output
     * @return relevance at the input (before the preprocessor)
     */
    INDArray lrp(WalkStep s, C c, INDArray r) {
        throw new IllegalStateException("no LRP rule for " + c.getClass().getSimpleName());
    }

    /**
     * @param s the walk
     * @param c the configuration
     * @param m multipliers at the output
     * @return multipliers at the input (Rescale rule)
     */
    INDArray deepLift(WalkStep s, C c, INDArray m) {
        throw new IllegalStateException("no DeepLIFT rule for " + c.getClass().getSimpleName());
    }

    /**
     * @param s the walk
     * @param c the configuration
     * @param m positive and negative multipliers at the output
     * @return positive and negative multipliers at the input (RevealCancel rule)
     */
    INDArray[] revealCancel(WalkStep s, C c, INDArray[] m) {
        throw new IllegalStateException("no RevealCancel rule for " + c.getClass().getSimpleName());
    }

    /**
     * @param s the walk
     * @param c the configuration
     * @param h positive and negative parts of the input difference
     * @param packed the same, packed
     * @return the packed parts of the output difference (RevealCancel's forward pass)
     */
    INDArray delta(WalkStep s, C c, INDArray[] h, INDArray packed) {
        throw new IllegalStateException("no RevealCancel rule for " + c.getClass().getSimpleName());
    }

    /** Rules of a linear layer without parameters: relevance and multipliers through its transposed map. */
    static INDArray lrpThroughTranspose(WalkStep s, INDArray r) {
        INDArray x = s.x();
        return x.mul(s.transpose(x, LrpRules.safeDiv(r, s.y(), 0)));
    }

    /** @see #lrpThroughTranspose */
    static INDArray[] revealCancelThroughTranspose(WalkStep s, INDArray[] m) {
        INDArray x = s.x();
        return new INDArray[] {s.transpose(x, m[0]), s.transpose(x, m[1])};
    }

    // ---------------------------------------------------------------------------------------------- geometry

    /**
     * @param c the configuration
     * @return how it maps positions
     */
    public Footprint footprint(C c) {
        return Footprint.UNIT;
    }

    /**
     * @param c the configuration
     * @param in its input shape without the batch dimension (may be null)
     * @param out its output shape without the batch dimension (may be null)
     * @return multiply-adds per example (the element count for layers without weights)
     */
    public double flops(C c, long[] in, long[] out) {
        return elements(out);
    }

    /**
     * @param shape a shape (may be null)
     * @return its number of elements (1 for null)
     */
    public static double elements(long[] shape) {
        double n = 1;
        for (long d : shape == null ? new long[0] : shape) {
            n *= d;
        }
        return n;
    }
}
