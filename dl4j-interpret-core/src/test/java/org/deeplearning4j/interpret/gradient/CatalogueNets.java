package org.deeplearning4j.interpret.gradient;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.Convolution2D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One small random network per catalogue entry and variant (double precision, 2x8x8 inputs, 3 classes): a tanh
 * convolution in front (so the tested layer sees values of both signs), the tested layer or vertex, then global
 * average pooling or a flatten and an output layer.
 */
final class CatalogueNets {
    static final int C = 2;
    static final int H = 8;

    /** A test network: which catalogue type it exercises, and how to build it. */
    static final class Net {
        final Class<?> type;
        final String name;
        final java.util.function.Supplier<ComputationGraph> build;

        Net(Class<?> type, String name, java.util.function.Supplier<ComputationGraph> build) {
            this.type = type;
            this.name = name;
            this.build = build;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private CatalogueNets() {
    }

    private static NeuralNetConfiguration.Builder base(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE).weightInit(WeightInit.XAVIER);
    }

    /** conv(tanh) -> middle (returns its last vertex name) -> [gap] -> output. */
    static ComputationGraph chain(long seed, boolean pool, Function<ComputationGraphConfiguration.GraphBuilder,
            String> middle) {
        return chain(seed, pool, Activation.TANH, 0, middle);
    }

    /** As {@link #chain(long, boolean, Function)} with the first convolution's activation and the output's nIn. */
    static ComputationGraph chain(long seed, boolean pool, Activation first, int outIn,
            Function<ComputationGraphConfiguration.GraphBuilder, String> middle) {
        ComputationGraphConfiguration.GraphBuilder b = base(seed).graphBuilder().addInputs("in")
                .addLayer("c0", new ConvolutionLayer.Builder(3, 3).nOut(3).convolutionMode(ConvolutionMode.Same)
                        .activation(first).build(), "in");
        String last = middle.apply(b);
        if (pool) {
            b.addLayer("gap", new GlobalPoolingLayer(PoolingType.AVG), last);
            last = "gap";
        }
        OutputLayer.Builder ob = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                .activation(Activation.SOFTMAX);
        if (outIn > 0) {
            ob.nIn(outIn);
        }
        b.addLayer("out", ob.build(), last).setOutputs("out")
                .setInputTypes(InputType.convolutional(H, H, C));
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        // biases and batch-norm statistics away from their initial values
        Nd4j.getRandom().setSeed(seed);
        INDArray p = g.params();
        p.addi(Nd4j.rand(DataType.DOUBLE, p.shape()).subi(0.5).muli(0.2));
        return g;
    }

    private static ComputationGraph one(long seed, boolean pool, Layer layer) {
        return chain(seed, pool, b -> {
            b.addLayer("t", layer, "c0");
            return "t";
        });
    }

    private static void add(Map<String, Net> m, Class<?> type, String name,
            java.util.function.Supplier<ComputationGraph> s) {
        m.put(name, new Net(type, name, s));
    }

    static Map<String, Net> all() {
        Map<String, Net> m = new LinkedHashMap<>();
        add(m, ConvolutionLayer.class, "conv same stride 1", () -> one(1, true, new ConvolutionLayer.Builder(3, 3)
                .nOut(3).convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build()));
        add(m, ConvolutionLayer.class, "conv truncate stride 2 padding 1", () -> one(2, true,
                new ConvolutionLayer.Builder(3, 3).stride(2, 2).padding(1, 1).nOut(3)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build()));
        add(m, ConvolutionLayer.class, "conv strict 2x2 stride 2", () -> one(3, true, new ConvolutionLayer.Builder(2, 2)
                .stride(2, 2).nOut(3).convolutionMode(ConvolutionMode.Strict).activation(Activation.IDENTITY)
                .build()));
        add(m, ConvolutionLayer.class, "conv same stride 2 (odd padding)", () -> one(4, true,
                new ConvolutionLayer.Builder(4, 4).stride(2, 2).nOut(3).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build()));
        add(m, ConvolutionLayer.class, "conv dilation 2", () -> one(5, true, new ConvolutionLayer.Builder(3, 3)
                .dilation(2, 2).nOut(3).convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY)
                .build()));
        add(m, ConvolutionLayer.class, "conv fused leaky relu", () -> one(6, true, new ConvolutionLayer.Builder(3, 3)
                .nOut(3).convolutionMode(ConvolutionMode.Same).activation(Activation.LEAKYRELU).build()));
        add(m, Convolution2D.class, "Convolution2D", () -> one(7, true, new Convolution2D.Builder(3, 3).nOut(3)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build()));
        add(m, Deconvolution2D.class, "deconvolution stride 2", () -> one(8, true, new Deconvolution2D.Builder(3, 3)
                .stride(2, 2).nOut(3).convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY)
                .build()));
        add(m, DepthwiseConvolution2D.class, "depthwise", () -> one(9, true, new DepthwiseConvolution2D.Builder(3, 3)
                .depthMultiplier(2).convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build()));
        add(m, SeparableConvolution2D.class, "separable stride 2", () -> one(10, true,
                new SeparableConvolution2D.Builder(3, 3).stride(2, 2).nOut(3).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build()));
        for (PoolingType t : new PoolingType[] {PoolingType.MAX, PoolingType.AVG, PoolingType.PNORM}) {
            add(m, org.deeplearning4j.nn.conf.layers.SubsamplingLayer.class, "subsampling " + t + " 2x2/2",
                    () -> one(11, true, new SubsamplingLayer.Builder(t).kernelSize(2, 2).stride(2, 2).pnorm(2)
                            .build()));
        }
        add(m, SubsamplingLayer.class, "subsampling MAX 3x3/2 same (overlapping)", () -> one(12, true,
                new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).build()));
        add(m, SubsamplingLayer.class, "subsampling MAX 3x3/2 padding 1", () -> one(13, true,
                new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2).padding(1, 1).build()));
        add(m, Upsampling2D.class, "upsampling 2", () -> one(14, true, new Upsampling2D.Builder(2).build()));
        add(m, Cropping2D.class, "cropping", () -> one(15, true, new Cropping2D(1, 2, 0, 1)));
        add(m, ZeroPaddingLayer.class, "zero padding", () -> one(16, false, new ZeroPaddingLayer(1, 2, 0, 1)));
        add(m, SpaceToDepthLayer.class, "space to depth 2", () -> one(17, true, new SpaceToDepthLayer.Builder(2)
                .build()));
        add(m, PReLULayer.class, "prelu", () -> one(18, true, new PReLULayer.Builder().inputShape(3, H, H).build()));
        add(m, BatchNormalization.class, "batch norm (log std)", () -> one(19, true, new BatchNormalization.Builder()
                .build()));
        add(m, BatchNormalization.class, "batch norm (variance)", () -> one(20, true,
                new BatchNormalization.Builder().useLogStd(false).build()));
        add(m, BatchNormalization.class, "batch norm (locked gamma and beta)", () -> one(39, true,
                new BatchNormalization.Builder().lockGammaBeta(true).gamma(1.5).beta(-0.25).build()));
        add(m, BatchNormalization.class, "batch norm after a dense layer", () -> chain(40, false, b -> {
            b.addLayer("d", new DenseLayer.Builder().nOut(5).activation(Activation.IDENTITY).build(), "c0");
            b.addLayer("t", new BatchNormalization.Builder().build(), "d");
            return "t";
        }));
        add(m, LocalResponseNormalization.class, "local response normalization", () -> one(21, true,
                new LocalResponseNormalization.Builder().build()));
        add(m, DropoutLayer.class, "dropout layer", () -> one(22, true, new DropoutLayer(0.5)));
        add(m, DenseLayer.class, "dense sigmoid after flatten", () -> one(23, false, new DenseLayer.Builder().nOut(5)
                .activation(Activation.SIGMOID).dropOut(0.5).build()));
        add(m, OutputLayer.class, "output layer", () -> one(24, false, new DenseLayer.Builder().nOut(4)
                .activation(Activation.IDENTITY).build()));
        add(m, LossLayer.class, "loss layer", () -> {
            ComputationGraphConfiguration.GraphBuilder b = base(25).graphBuilder().addInputs("in")
                    .addLayer("c0", new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.TANH).build(),
                            "in")
                    .addLayer("gap", new GlobalPoolingLayer(PoolingType.AVG), "c0")
                    .addLayer("out", new LossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                            .activation(Activation.SOFTMAX).build(), "gap")
                    .setOutputs("out").setInputTypes(InputType.convolutional(H, H, C));
            ComputationGraph g = new ComputationGraph(b.build());
            g.init();
            return g;
        });
        add(m, CenterLossOutputLayer.class, "center loss output", () -> {
            ComputationGraphConfiguration.GraphBuilder b = base(26).graphBuilder().addInputs("in")
                    .addLayer("c0", new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.TANH).build(),
                            "in")
                    .addLayer("gap", new GlobalPoolingLayer(PoolingType.MAX), "c0")
                    .addLayer("out", new CenterLossOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                            .activation(Activation.SOFTMAX).build(), "gap")
                    .setOutputs("out").setInputTypes(InputType.convolutional(H, H, C));
            ComputationGraph g = new ComputationGraph(b.build());
            g.init();
            return g;
        });
        for (PoolingType t : PoolingType.values()) {
            add(m, GlobalPoolingLayer.class, "global pooling " + t, () -> chain(27, false, b -> {
                b.addLayer("t", new GlobalPoolingLayer.Builder(t).pnorm(2).build(), "c0");
                return "t";
            }));
        }
        for (Activation a : LayerCatalogue.activations()) {
            // an identity convolution in front, so that inputs reach past thresholds and caps
            add(m, ActivationLayer.class, "activation layer " + a, () -> chain(28, false, Activation.IDENTITY, 0,
                    b -> {
                        b.addLayer("t", new ActivationLayer(a), "c0");
                        return "t";
                    }));
        }
        add(m, FrozenLayer.class, "frozen conv", () -> one(29, true, new FrozenLayer(new ConvolutionLayer.Builder(3, 3)
                .nIn(3).nOut(3).convolutionMode(ConvolutionMode.Same).activation(Activation.ELU).build())));
        add(m, FrozenLayerWithBackprop.class, "frozen-with-backprop dense", () -> one(30, false,
                new FrozenLayerWithBackprop(new DenseLayer.Builder().nIn(3 * H * H).nOut(4)
                        .activation(Activation.RELU6).build())));
        for (ElementWiseVertex.Op op : ElementWiseVertex.Op.values()) {
            add(m, ElementWiseVertex.class, "element-wise " + op, () -> chain(31, true, b -> {
                b.addLayer("a", new ConvolutionLayer.Builder(1, 1).nOut(3).activation(Activation.IDENTITY).build(),
                        "c0");
                b.addVertex("t", new ElementWiseVertex(op), "c0", "a");
                return "t";
            }));
        }
        add(m, MergeVertex.class, "merge", () -> chain(32, true, b -> {
            b.addLayer("a", new ConvolutionLayer.Builder(1, 1).nOut(2).activation(Activation.SIGMOID).build(), "c0");
            b.addVertex("t", new MergeVertex(), "c0", "a");
            return "t";
        }));
        add(m, SubsetVertex.class, "subset (of pooled channels)", () -> chain(33, false, Activation.TANH, 2, b -> {
            b.addLayer("gap", new GlobalPoolingLayer(PoolingType.MAX), "c0");
            b.addVertex("t", new SubsetVertex(1, 2), "gap");
            return "t";
        }));
        add(m, L2NormalizeVertex.class, "l2 normalize", () -> chain(34, true, b -> {
            b.addVertex("t", new L2NormalizeVertex(), "c0");
            return "t";
        }));
        add(m, ScaleVertex.class, "scale", () -> chain(35, true, b -> {
            b.addVertex("t", new ScaleVertex(1.7), "c0");
            return "t";
        }));
        add(m, ShiftVertex.class, "shift", () -> chain(36, true, b -> {
            b.addVertex("t", new ShiftVertex(0.4), "c0");
            return "t";
        }));
        add(m, org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor.class, "cnn to feed-forward",
                () -> one(37, false, new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build()));
        add(m, FeedForwardToCnnPreProcessor.class, "feed-forward to cnn", () -> chain(38, true, b -> {
            b.addLayer("d", new DenseLayer.Builder().nOut(2 * 4 * 4).activation(Activation.TANH).build(), "c0");
            b.addLayer("t", new ConvolutionLayer.Builder(3, 3).nOut(3).convolutionMode(ConvolutionMode.Same)
                    .activation(Activation.IDENTITY).build(), "d");
            b.inputPreProcessor("t", new FeedForwardToCnnPreProcessor(4, 4, 2));
            return "t";
        }));
        return m;
    }
}
