package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.targets.Target;
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

    /** @return the largest number of examples run through the network at once */
    int maxBatchSize();

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
     * @param input NCHW batch
     * @param target what to differentiate
     * @param layer the layer to differentiate with respect to
     * @return the target's value, the layer's activation and the true gradient
     */
    default LayerGradient layerGradient(INDArray input, Target target, String layer) {
        return spi().layerGradient(input, target, layer, null, ReluRule.NORMAL);
    }

    /**
     * @return the engine SPI behind this model: what method classes and extensions need beyond this interface
     *         (replaced activations, backward passes from seeds, propagation rules, private copies); not needed to
     *         explain a model with the method classes
     */
    ModelSpi spi();

    /**
     * @param input NCHW batch
     * @param target what to differentiate
     * @return the target's value and its true input gradient
     */
    default ObjectiveGradient gradient(INDArray input, Target target) {
        return gradient(input, target, ReluRule.NORMAL);
    }
}
