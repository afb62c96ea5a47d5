package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.internal.engine.InputPass;
import org.deeplearning4j.interpret.internal.engine.Seed;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * The engine SPI of an {@link InterpretableModel} ({@link InterpretableModel#spi()}): the operations the method
 * classes are built from beyond the user-facing interface. Replaced hidden activations (layer integrated gradients,
 * Grad-CAM at a layer), objectives that read several layers (feature visualization), propagation rules (LRP,
 * DeepLIFT), the leading local layers (incremental occlusion) and private copies (gradient checks, sanity checks).
 * The seeds and passes are the engine's own records ({@link Seed}, {@link InputPass}).
 * Every call validates its input, works in chunks and leaves the network unchanged, like the user-facing methods.
 *
 * <p>Not needed to explain a model with the method classes, and free to change between versions; write new methods
 * against it, not applications.
 */
public interface ModelSpi {

    /** @return the model this SPI belongs to */
    InterpretableModel model();

    /**
     * Validates an input batch and returns a copy in the model's data type.
     *
     * @param input NCHW batch
     * @return a detached copy
     * @throws IllegalArgumentException for wrong rank, channels or size, an empty batch, or NaN/Inf values
     */
    INDArray prepareInput(INDArray input);

    /** @return layers that forced the DL4J-layer fallback (empty on the fast path) */
    List<String> fallbackLayers();

    /** @return true when the network's output layer applies softmax to the logits (class probabilities make sense) */
    boolean softmaxOutput();


    /**
     * Gradient of a target with respect to a hidden layer's activation (Grad-CAM, layer attribution).
     *
     * @param input NCHW batch
     * @param target what to differentiate
     * @param layer the layer to differentiate with respect to
     * @param override replacement activation for {@code layer} ({@code [N, ...]}), or null to compute it; other
     *                 paths (e.g. skip connections around the layer) still start from the input
     * @param rule the ReLU backward rule
     * @return the target's value, the layer's activation and the gradient
     */
    LayerGradient layerGradient(INDArray input, Target target, String layer, INDArray override, ReluRule rule);

    /**
     * @param input NCHW batch
     * @param target what to evaluate
     * @param layer the layer whose activation is replaced
     * @param override the replacement activation {@code [N, ...]}
     * @return the target's value per example with that layer's activation replaced
     */
    INDArray values(INDArray input, Target target, String layer, INDArray override);

    /**
     * One backward pass from seeds at one or more layers, chunk by chunk: the input gradient of
     * {@code sum_i sum(activation(seeds[i].layer) * seed_i)}, where an affine seed
     * ({@code scale * activation + offset}, e.g. DeepDream's) is completed inside the pass where the engine can and
     * from a forward pass first where it cannot. Seeds hold the whole batch; an objective that couples the examples
     * of a batch (diversity) computes them on the whole batch, the model splits only the network passes.
     *
     * @param input NCHW batch
     * @param seeds one per distinct layer, each shaped like that layer's activation for the whole batch
     * @param rule the ReLU backward rule
     * @return the seeded layers' activations (whole batch) and the input gradient
     * @throws IllegalArgumentException for unknown layers, two seeds at one layer, or a seed of the wrong shape
     */
    InputPass backward(INDArray input, List<Seed> seeds, ReluRule rule);

    /**
     * The leading chain of local layers (engine SPI for incremental methods such as incremental occlusion).
     *
     * @param channels input channels
     * @param height input height
     * @param width input width
     * @return the chain for inputs of that shape
     * @throws org.deeplearning4j.interpret.InterpretException saying why the model has none (SameDiff graphs, a
     *         network that does not start with convolution or pooling, the DL4J-layer fallback)
     */
    default LocalLayers localLayers(long channels, long height, long width) {
        throw new org.deeplearning4j.interpret.InterpretException("Incremental computation is available for DL4J "
                + "networks (MultiLayerNetwork, ComputationGraph) on the fast engine, not for " + this);
    }

    /**
     * @return a private double-precision copy of this model (this model itself if it is already double), for
     *         checks in double precision such as {@link org.deeplearning4j.interpret.check.GradientCheck}; the
     *         user's model is not changed
     */
    InterpretableModel inDoublePrecision();

    /**
     * @return the layers that hold parameters, from the input to the output: the stages of a model-parameter
     *         randomization check ({@link org.deeplearning4j.interpret.evaluation.ParameterRandomization})
     */
    List<String> parameterLayers();

    /**
     * A private copy of this model with the parameters of some layers re-drawn at random, for the sanity checks.
     * DL4J networks re-initialise those layers from their own configuration (weight initialisation, bias and batch
     * normalization defaults), drawn on a separate thread so the caller's random stream is untouched; SameDiff graphs
     * re-draw each parameter array from a normal distribution with that array's mean and standard deviation
     * (batch-normalization statistics are kept). The user's model is not changed.
     *
     * @param layers names from {@link #parameterLayers()}
     * @param seed seed of the new values (the same seed gives the same copy)
     * @return the copy
     * @throws IllegalArgumentException naming the valid layers if one has no parameters
     */
    InterpretableModel randomizedCopy(List<String> layers, long seed);

    /**
     * @return the layers at which {@link ReluRule#GUIDED} and {@link ReluRule#DECONVNET} act (rectifiers), and the
     *         non-linear layers that keep their true derivative under them
     */
    org.deeplearning4j.interpret.gradient.ReluRuleCoverage reluRuleCoverage();

    /**
     * Layer-wise relevance propagation over the network's layers with the composite's rules
     * ({@link org.deeplearning4j.interpret.internal.engine.RuleWalker}).
     *
     * @param input NCHW batch
     * @param target a linear read-out: a class logit (e.g. the predicted class), a channel or a neuron
     * @param composite the rule of each layer
     * @return the input relevance and the target's values
     * @throws org.deeplearning4j.interpret.InterpretException for a layer without a rule, or a rule other than
     *         epsilon on a SameDiff graph
     */
    org.deeplearning4j.interpret.internal.engine.RuleWalker.Walk lrp(INDArray input, Target target,
            org.deeplearning4j.interpret.gradient.LrpComposite composite);

    /**
     * DeepLIFT with the Rescale rule against a reference input.
     *
     * @param input NCHW batch
     * @param reference NCHW reference of the same shape
     * @param target a linear read-out
     * @return the contributions, the target's values on the input and on the reference
     * @throws org.deeplearning4j.interpret.InterpretException for a layer or op without a rule
     */
    org.deeplearning4j.interpret.internal.engine.RuleWalker.Walk deepLift(INDArray input, INDArray reference, Target target);

    /**
     * DeepLIFT with the RevealCancel rule against a reference input.
     *
     * @param input NCHW batch
     * @param reference NCHW reference of the same shape
     * @param target a linear read-out
     * @return the contributions, the target's values on the input and on the reference
     * @throws org.deeplearning4j.interpret.InterpretException on SameDiff graphs (not available there) or for a layer
     *         without a rule
     */
    org.deeplearning4j.interpret.internal.engine.RuleWalker.Walk revealCancel(INDArray input, INDArray reference,
            Target target);
}
