package org.deeplearning4j.interpret.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Entry point: wraps a trained DL4J network for interpretation. The network is never modified; the adapter shares its
 * parameter array, so interpretation after further training sees the new weights.
 *
 * <pre>{@code
 * InterpretableModel model = Models.of(net);                       // shape and range inferred where possible
 * InterpretableModel model = Models.builder(net)
 *         .inputSpec(InputSpec.builder().shape(3, 64, 64).pixelRange(0, 1).build())
 *         .maxBatchSize(16).build();
 * }</pre>
 */
public final class Models {
    /** Default chunk size: at most this many examples run through the network at once. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 16;

    private Models() {
    }

    /**
     * @param net a trained (or initialised) network
     * @return the adapter with default options
     */
    public static InterpretableModel of(MultiLayerNetwork net) {
        return builder(net).build();
    }

    /**
     * @param graph a trained (or initialised) graph
     * @return the adapter with default options
     */
    public static InterpretableModel of(ComputationGraph graph) {
        return builder(graph).build();
    }

    /**
     * @param net the network
     * @return a builder
     */
    public static Builder builder(MultiLayerNetwork net) {
        if (net == null) {
            throw new IllegalArgumentException("net is null");
        }
        return new Builder("MultiLayerNetwork", toGraph(net.getLayerWiseConfigurations()), net::params,
                inferSpec(net.getLayerWiseConfigurations()));
    }

    /**
     * @param graph the graph
     * @return a builder
     */
    public static Builder builder(ComputationGraph graph) {
        if (graph == null) {
            throw new IllegalArgumentException("graph is null");
        }
        return new Builder("ComputationGraph", graph.getConfiguration(), graph::params,
                inferSpec(graph.getConfiguration()));
    }

    /**
     * @param network a MultiLayerNetwork or ComputationGraph (e.g. from {@link #load(java.io.File)})
     * @return a builder
     */
    public static Builder builder(org.deeplearning4j.nn.api.Model network) {
        if (network instanceof MultiLayerNetwork) {
            return builder((MultiLayerNetwork) network);
        }
        if (network instanceof ComputationGraph) {
            return builder((ComputationGraph) network);
        }
        throw new IllegalArgumentException("Expected a MultiLayerNetwork or ComputationGraph, got "
                + (network == null ? "null" : network.getClass().getName()));
    }

    /**
     * A SameDiff graph (built in SameDiff, or imported from TensorFlow or ONNX). Every method that needs only normal
     * gradients works on it; see {@link SameDiffBuilder} for the limits.
     *
     * <pre>{@code
     * InterpretableModel m = Models.builder(sd, "input", "logits").layers("conv1", "relu1", "pool1").build();
     * }</pre>
     *
     * @param sd the graph (never modified: the adapter works on copies that share its arrays)
     * @param inputPlaceholder name of the NCHW image placeholder
     * @param logitsVariable name of the pre-softmax class scores {@code [N, classes]}
     * @return a builder
     */
    public static SameDiffBuilder builder(org.nd4j.autodiff.samediff.SameDiff sd, String inputPlaceholder,
            String logitsVariable) {
        if (sd == null || inputPlaceholder == null || logitsVariable == null) {
            throw new IllegalArgumentException("SameDiff graph, input placeholder and logits variable must be given");
        }
        return new SameDiffBuilder(sd, inputPlaceholder, logitsVariable);
    }

    /**
     * Options for a SameDiff adapter. Gradients come from the library's op-by-op reverse pass; guided backprop and
     * deconvnet apply their rule at the graph's rectifier ops (other activations keep their true derivative).
     * Replacing a hidden activation (layer integrated gradients, Grad-CAM at a layer) rewires its readers to a
     * placeholder in a private copy. Receptive fields are measured from input-gradient support, as the graph has no
     * layer configuration to read them from. An InputSpec that contradicts the image placeholder's shape is refused.
     */
    public static final class SameDiffBuilder {
        private final org.nd4j.autodiff.samediff.SameDiff sd;
        private final String input;
        private final String logits;
        private List<String> layers = List.of();
        private InputSpec spec;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private boolean classifier = true;

        private SameDiffBuilder(org.nd4j.autodiff.samediff.SameDiff sd, String input, String logits) {
            this.sd = sd;
            this.input = input;
            this.logits = logits;
        }

        /**
         * @param names hidden variables to expose as layers (default: every op output)
         * @return this
         */
        public SameDiffBuilder layers(String... names) {
            this.layers = List.of(names);
            return this;
        }

        /**
         * @param s input shape and preprocessing (default: the placeholder's shape, [0, 1] pixels)
         * @return this
         */
        public SameDiffBuilder inputSpec(InputSpec s) {
            this.spec = s;
            return this;
        }

        /**
         * @param softmax whether softmax of the logits variable gives class probabilities (default true; false for a
         *                regression output, which makes probability targets fail with an explanation)
         * @return this
         */
        public SameDiffBuilder classifier(boolean softmax) {
            this.classifier = softmax;
            return this;
        }

        /**
         * @param n most examples run at once
         * @return this
         */
        public SameDiffBuilder maxBatchSize(int n) {
            this.maxBatchSize = n;
            return this;
        }

        /** @return the adapter; unknown variable names fail here, listing the valid ones */
        public InterpretableModel build() {
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
            }
            return new SameDiffModel(sd, input, logits, layers, spec, maxBatchSize, classifier);
        }
    }

    /**
     * Loads a network saved by DL4J's {@code ModelSerializer} ({@code net.save(file)}), whichever kind it is.
     *
     * @param file the model zip
     * @return the MultiLayerNetwork or ComputationGraph, without updater state
     * @throws java.io.IOException when the file is missing or not a DL4J model (the message says which)
     */
    public static org.deeplearning4j.nn.api.Model load(java.io.File file) throws java.io.IOException {
        if (file == null || !file.isFile()) {
            throw new java.io.IOException("Model file not found: " + (file == null ? "null" : file.getAbsolutePath()));
        }
        String conf;
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file)) {
            java.util.zip.ZipEntry e = zip.getEntry("configuration.json");
            if (e == null) {
                throw new java.io.IOException(file.getAbsolutePath() + " is a zip without configuration.json: not a "
                        + "model saved by DL4J (save one with net.save(file))");
            }
            conf = new String(zip.getInputStream(e).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.util.zip.ZipException ze) {
            throw new java.io.IOException(file.getAbsolutePath() + " is not a DL4J model zip: " + ze.getMessage(), ze);
        }
        try {
            if (conf.contains("\"vertices\"")) {
                return ComputationGraph.load(file, false);
            }
            return MultiLayerNetwork.load(file, false);
        } catch (java.io.IOException | RuntimeException broken) {
            throw new java.io.IOException(file.getAbsolutePath() + ": the weights (coefficients.bin) or the "
                    + "configuration in this model zip are truncated or corrupted (" + broken.getClass()
                    .getSimpleName() + (broken.getMessage() == null ? "" : ": " + broken.getMessage().split("\n")[0])
                    + "); save the model again with net.save(file)", broken);
        }
    }

    /** Builds the equivalent single-chain graph configuration of a MultiLayerNetwork (same parameter layout). */
    static ComputationGraphConfiguration toGraph(MultiLayerConfiguration mc) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder()
                .dataType(mc.getDataType()).graphBuilder().addInputs("input");
        String prev = "input";
        Set<String> used = new HashSet<>();
        used.add(prev);
        for (int i = 0; i < mc.getConfs().size(); i++) {
            Layer layer = mc.getConf(i).getLayer().clone();
            String name = layer.getLayerName() == null || used.contains(layer.getLayerName())
                    ? "layer" + i : layer.getLayerName();
            used.add(name);
            InputPreProcessor pp = mc.getInputPreProcess(i);
            b.addLayer(name, layer, pp == null ? null : pp.clone(), prev);
            prev = name;
        }
        b.setOutputs(prev);
        b.validateOutputLayerConfig(false);
        return b.build();
    }

    private static InputSpec inferSpec(MultiLayerConfiguration mc) {
        InputPreProcessor pp = mc.getInputPreProcess(0);
        if (pp instanceof FeedForwardToCnnPreProcessor) {
            FeedForwardToCnnPreProcessor f = (FeedForwardToCnnPreProcessor) pp;
            return InputSpec.builder().shape(f.getNumChannels(), f.getInputHeight(), f.getInputWidth()).build();
        }
        Layer first = mc.getConf(0).getLayer();
        long c = first instanceof ConvolutionLayer ? ((ConvolutionLayer) first).getNIn() : InputSpec.UNKNOWN;
        return InputSpec.builder().shape(c, InputSpec.UNKNOWN, InputSpec.UNKNOWN).build();
    }

    private static InputSpec inferSpec(ComputationGraphConfiguration conf) {
        long c = InputSpec.UNKNOWN;
        if (conf.getNetworkInputs().size() == 1) {
            String in = conf.getNetworkInputs().get(0);
            for (java.util.Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
                GraphVertex v = conf.getVertices().get(e.getKey());
                if (!e.getValue().contains(in) || !(v instanceof LayerVertex)) {
                    continue;
                }
                LayerVertex lv = (LayerVertex) v;
                if (lv.getPreProcessor() instanceof FeedForwardToCnnPreProcessor) {
                    FeedForwardToCnnPreProcessor f = (FeedForwardToCnnPreProcessor) lv.getPreProcessor();
                    return InputSpec.builder().shape(f.getNumChannels(), f.getInputHeight(), f.getInputWidth())
                            .build();
                }
                if (lv.getLayerConf().getLayer() instanceof ConvolutionLayer) {
                    c = ((ConvolutionLayer) lv.getLayerConf().getLayer()).getNIn();
                }
            }
        }
        return InputSpec.builder().shape(c, InputSpec.UNKNOWN, InputSpec.UNKNOWN).build();
    }

    /** Options for the adapter. {@link #build()} validates. */
    public static final class Builder {
        private final String kind;
        private final ComputationGraphConfiguration conf;
        private final Supplier<INDArray> params;
        private final InputSpec inferred;
        private InputSpec spec;
        private ExecutionPath path = ExecutionPath.AUTO;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;

        private Builder(String kind, ComputationGraphConfiguration conf, Supplier<INDArray> params,
                InputSpec inferred) {
            this.kind = kind;
            this.conf = conf;
            this.params = params;
            this.inferred = inferred;
            this.spec = inferred;
        }

        /**
         * @param spec input shape, pixel range, channel means and order; unknown dimensions are filled from the
         *             network configuration where it has them
         * @return this
         */
        public Builder inputSpec(InputSpec spec) {
            this.spec = spec;
            return this;
        }

        /**
         * @param path which engine to use (default {@link ExecutionPath#AUTO})
         * @return this
         */
        public Builder executionPath(ExecutionPath path) {
            this.path = path;
            return this;
        }

        /**
         * @param n most examples run at once (default {@value #DEFAULT_MAX_BATCH_SIZE})
         * @return this
         */
        public Builder maxBatchSize(int n) {
            this.maxBatchSize = n;
            return this;
        }

        /** @return the adapter */
        public InterpretableModel build() {
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
            }
            if (spec == null || path == null) {
                throw new IllegalArgumentException("inputSpec and executionPath must not be null");
            }
            String fits = "; pass InputSpec.builder().shape(" + (inferred.channels() > 0 ? inferred.channels()
                    : spec.channels()) + ", " + (inferred.hasSpatialSize() ? inferred.height() + ", " + inferred.width()
                    : "h, w") + ")";
            if (inferred.channels() > 0 && spec.channels() > 0 && inferred.channels() != spec.channels()) {
                throw new IllegalArgumentException("The InputSpec says " + spec.channels() + " input channels, but the "
                        + "network's first layer takes " + inferred.channels() + fits);
            }
            if (inferred.hasSpatialSize() && spec.hasSpatialSize() && (inferred.height() != spec.height()
                    || inferred.width() != spec.width())) {
                throw new IllegalArgumentException("The InputSpec says " + spec.height() + "x" + spec.width()
                        + " images, but the network was configured for " + inferred.height() + "x"
                        + inferred.width() + fits);
            }
            return new Dl4jModel(kind, conf, params, spec, path, maxBatchSize);
        }
    }
}
