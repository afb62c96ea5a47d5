package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.target.LayerObjective;
import org.deeplearning4j.interpret.target.Target;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * A network prepared for interpretation: the one place where MultiLayerNetwork, ComputationGraph and SameDiff
 * differences live. Every call validates its input, works in chunks of at most {@link #maxBatchSize()} examples,
 * and leaves the underlying network exactly as it was (parameters, updater state, listeners). The adapter shares
 * the network's parameters, so after further training it sees the new weights.
 *
 * <p>Results never depend on earlier calls, on how inputs are batched or chunked, or on the engine: a call on a
 * model that has served other calls equals the same call on a freshly wrapped one. One model may be shared by
 * several threads: their calls are serialised (each engine runs one call at a time) and give the results of the
 * same calls made one after another; for parallel work wrap the network once per thread.
 *
 * <p>Obtain one from {@link Models}.
 */
public interface InterpretableModel {

    /** @return the addressable layers in topological order (the input vertex excluded) */
    List<LayerInfo> layers();

    /**
     * @param name layer name
     * @return the layer
     * @throws IllegalArgumentException listing the valid names if there is no such layer
     */
    default LayerInfo layer(String name) {
        for (LayerInfo l : layers()) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        throw new IllegalArgumentException("Unknown layer '" + name + "'. Valid layer names: "
                + layers().stream().map(LayerInfo::name).collect(java.util.stream.Collectors.joining(", ")));
    }

    /**
     * The input region one unit of a hidden layer sees, from the architecture (kernels, strides, padding, dilation,
     * every branch). Needs the input size in the {@link InputSpec}.
     *
     * @param layer layer name
     * @param y unit row (0 for dense layers)
     * @param x unit column (0 for dense layers)
     * @return the unclipped field; {@link ReceptiveField#clip(long, long)} gives the part inside the image
     */
    ReceptiveField receptiveField(String layer, long y, long x);

    /** @return what the model expects as input */
    InputSpec inputSpec();

    /** @return the name of the output layer, exposed as pre-softmax logits */
    String outputLayer();

    /** @return the number of classes (output units) */
    int numClasses();

    /** @return the model's floating-point data type; inputs are converted to it */
    DataType dataType();

    /** @return the engine in use: {@link ExecutionPath#SAMEDIFF} or {@link ExecutionPath#DL4J_LAYERS} */
    ExecutionPath executionPath();

    /** @return layers that forced the DL4J-layer fallback (empty on the fast path) */
    List<String> fallbackLayers();

    /** @return the largest number of examples run through the network at once */
    int maxBatchSize();

    /**
     * Validates an input batch and returns a copy in the model's data type.
     *
     * @param input NCHW batch
     * @return a detached copy
     * @throws IllegalArgumentException for wrong rank, channels or size, an empty batch, or NaN/Inf values
     */
    INDArray prepareInput(INDArray input);

    /**
     * @param input NCHW batch
     * @return pre-softmax logits, shape {@code [N, classes]}
     */
    INDArray logits(INDArray input);

    /**
     * @param input NCHW batch
     * @param layers layer names
     * @return activations (for the output layer: logits), keyed by name
     */
    Map<String, INDArray> activations(INDArray input, String... layers);

    /**
     * @param input NCHW batch
     * @param target what to evaluate
     * @return the target's value per example, shape {@code [N]}
     */
    INDArray values(INDArray input, Target target);

    /**
     * @param input NCHW batch
     * @param target what to differentiate
     * @param rule the ReLU backward rule
     * @return the target's value and its input gradient
     */
    ObjectiveGradient gradient(INDArray input, Target target, ReluRule rule);

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
     * @param target what to differentiate
     * @param layer the layer to differentiate with respect to
     * @return the target's value, the layer's activation and the true gradient
     */
    default LayerGradient layerGradient(INDArray input, Target target, String layer) {
        return layerGradient(input, target, layer, null, ReluRule.NORMAL);
    }

    /**
     * @param input NCHW batch
     * @param target what to evaluate
     * @param layer the layer whose activation is replaced
     * @param override the replacement activation {@code [N, ...]}
     * @return the target's value per example with that layer's activation replaced
     */
    INDArray values(INDArray input, Target target, String layer, INDArray override);

    /**
     * Value and input gradient of an objective that reads several layers, in one backward pass per chunk. When the
     * objective's gradient depends on activations the batch is first run forward (in chunks) to compute the seeds
     * on the whole batch.
     *
     * @param input NCHW batch
     * @param objective what to differentiate
     * @param rule the ReLU backward rule
     * @return the objective per example and its input gradient
     */
    ObjectiveGradient gradient(INDArray input, LayerObjective objective, ReluRule rule);

    /**
     * @param input NCHW batch
     * @param objective what to evaluate
     * @return the objective per example, shape {@code [N]}
     */
    default INDArray values(INDArray input, LayerObjective objective) {
        Map<String, INDArray> acts = activations(input, objective.layers().toArray(new String[0]));
        objective.validate(Batches.shapes(acts));
        return objective.value(acts);
    }

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

    /** @return true when the network's output layer applies softmax to the logits (class probabilities make sense) */
    boolean softmaxOutput();

    /**
     * Layer-wise relevance propagation over the network's layers with the composite's rules
     * ({@link org.deeplearning4j.interpret.gradient.RuleWalker}).
     *
     * @param input NCHW batch
     * @param target a linear read-out: a class logit (e.g. the predicted class), a channel or a neuron
     * @param composite the rule of each layer
     * @return the input relevance and the target's values
     * @throws org.deeplearning4j.interpret.InterpretException for a layer without a rule, or a rule other than
     *         epsilon on a SameDiff graph
     */
    org.deeplearning4j.interpret.gradient.RuleWalker.Walk lrp(INDArray input, Target target,
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
    org.deeplearning4j.interpret.gradient.RuleWalker.Walk deepLift(INDArray input, INDArray reference, Target target);

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
    org.deeplearning4j.interpret.gradient.RuleWalker.Walk revealCancel(INDArray input, INDArray reference,
            Target target);

    /**
     * @param input NCHW batch
     * @param target what to differentiate
     * @return the target's value and its true input gradient
     */
    default ObjectiveGradient gradient(INDArray input, Target target) {
        return gradient(input, target, ReluRule.NORMAL);
    }
}
