package org.deeplearning4j.interpret.testing;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small networks with known structure for engine tests, all seeded. */
public final class TestNets {
    private TestNets() {
    }

    /** VGG-like stack: same/truncate/strided convs, max and average pooling, dropout dense, softmax output. */
    public static MultiLayerNetwork vggLike(DataType dt, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(dt)
                .weightInit(WeightInit.RELU).updater(new Adam(1e-3)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(5).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).stride(2, 2).padding(1, 1).nOut(6)
                        .activation(Activation.LEAKYRELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(1, 1).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH).dropOut(0.5).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(12, 12, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** ResNet-like graph: BN, ReLU activation layers, an add vertex, a merge vertex, zero padding, global pooling. */
    public static ComputationGraph resnetLike(DataType dt, long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(dt)
                .weightInit(WeightInit.RELU).updater(new Adam(1e-3)).graphBuilder().addInputs("in")
                .addLayer("stem", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("stem_bn", new BatchNormalization.Builder().build(), "stem")
                .addLayer("stem_relu", new ActivationLayer(Activation.RELU), "stem_bn")
                .addLayer("b_conv", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(), "stem_relu")
                .addLayer("b_bn", new BatchNormalization.Builder().useLogStd(false).build(), "b_conv")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "b_bn", "stem_relu")
                .addLayer("add_relu", new ActivationLayer(Activation.RELU), "add")
                .addLayer("side", new ConvolutionLayer.Builder(1, 1).nOut(2).activation(Activation.SIGMOID).build(),
                        "add_relu")
                .addVertex("merge", new MergeVertex(), "add_relu", "side")
                .addLayer("pad", new ZeroPaddingLayer(1, 1), "merge")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2).build(),
                        "pad")
                .addLayer("drop", new DropoutLayer(0.5), "pool")
                .addLayer("gap", new GlobalPoolingLayer(PoolingType.AVG), "drop")
                .addLayer("fc", new DenseLayer.Builder().nOut(7).activation(Activation.RELU).build(), "gap")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out").setInputTypes(InputType.convolutional(10, 10, 3)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        randomiseBatchNorm(g, seed);
        return g;
    }

    /** The input spec of {@link #vggLike}: MultiLayerNetworks do not keep their input type, so tests pass it. */
    public static org.deeplearning4j.interpret.model.InputSpec vggSpec() {
        return org.deeplearning4j.interpret.model.InputSpec.builder().shape(3, 12, 12).build();
    }

    /** A dilated convolution: DL4J-layer path (oneDNN rejects some FP32 dilated descriptors in M2.1). */
    public static MultiLayerNetwork dilated(DataType dt, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(dt)
                .weightInit(WeightInit.RELU).list()
                .layer(new ConvolutionLayer.Builder(3, 3).dilation(2, 2).padding(2, 2).nOut(4)
                        .activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 2)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** A network with a layer the fast path does not cover (local response normalization). */
    public static MultiLayerNetwork withUnsupportedLayer(DataType dt, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(dt)
                .weightInit(WeightInit.RELU).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new LocalResponseNormalization.Builder().build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 2)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Gives BN layers non-trivial running statistics and affine parameters, so the inference rule matters. */
    public static void randomiseBatchNorm(ComputationGraph g, long seed) {
        Nd4j.getRandom().setSeed(seed);
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            if (!(l instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization)) {
                continue;
            }
            for (String key : l.paramTable().keySet()) {
                INDArray p = l.getParam(key);
                INDArray r = Nd4j.rand(p.dataType(), p.shape());
                switch (key) {
                    case "mean":
                    case "beta":
                        p.assign(r.subi(0.5));
                        break;
                    case "var":
                        p.assign(r.addi(0.5));
                        break;
                    case "log10stdev":
                        p.assign(r.subi(0.5).muli(0.4));
                        break;
                    default: // gamma
                        p.assign(r.addi(0.5));
                }
            }
        }
    }
}
