package org.deeplearning4j.interpret.gradient;

import org.deeplearning4j.interpret.model.ExecutionPath;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At tied maxima (max pooling, global max pooling, element-wise max) every engine splits the gradient equally among
 * the tied inputs, so the fast path and DL4J's layers agree on black-background images.
 */
class MaxTiesTest {
    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static InterpretableModel wrap(MultiLayerNetwork net, ExecutionPath p, int c, int h) {
        return Models.builder(net).inputSpec(InputSpec.builder().shape(c, h, h).build()).executionPath(p).build();
    }

    @Test
    void aTiedPoolingWindowSharesItsGradientEquallyOnBothEngines() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .list()
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(4, 4, 1)).build());
        net.init();
        net.getLayer(1).getParam("W").assign(Nd4j.createFromArray(new double[][] {{1, 0}, {2, 0}, {4, 0}, {8, 0}}));
        // windows: all four zero (4-way tie), two ones tied, a unique max, a unique max
        INDArray x = Nd4j.createFromArray(new double[] {
            0, 0, 1, 1,
            0, 0, 0, 0,
            5, 1, 0, 2,
            1, 1, 3, 1}).reshape(1, 1, 4, 4);
        INDArray expected = Nd4j.createFromArray(new double[] {
            0.25, 0.25, 1, 1,
            0.25, 0.25, 0, 0,
            4, 0, 0, 0,
            0, 0, 8, 0}).reshape(1, 1, 4, 4);
        for (ExecutionPath p : new ExecutionPath[] {ExecutionPath.SAMEDIFF, ExecutionPath.DL4J_LAYERS}) {
            INDArray g = wrap(net, p, 1, 4).gradient(x, Targets.logit(0)).gradient();
            assertTrue(g.equalsWithEps(expected, 1e-12), p + ": " + g);
        }
    }

    @Test
    void tiedGlobalMaximaAndTiedElementWiseMaximaShareTheirGradientEqually() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .graphBuilder().addInputs("in")
                .addLayer("relu", new ActivationLayer(Activation.RELU), "in")
                .addVertex("max", new ElementWiseVertex(ElementWiseVertex.Op.Max), "relu", "in")
                .addLayer("gmax", new GlobalPoolingLayer(PoolingType.MAX), "max")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(1).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "gmax")
                .setOutputs("out").setInputTypes(InputType.convolutional(2, 2, 1)).build());
        g.init();
        g.getLayer("out").getParam("W").assign(Nd4j.createFromArray(new double[][] {{1, 0}}));
        // max(relu(x), x) = relu(x): positives tie between the two inputs; the global maximum 2 appears twice
        INDArray x = Nd4j.createFromArray(new double[] {2, -1, 2, 1}).reshape(1, 1, 2, 2);
        // each global max gets 1/2; through the max vertex, half goes to x directly and half via relu (slope 1)
        INDArray expected = Nd4j.createFromArray(new double[] {0.5, 0, 0.5, 0}).reshape(1, 1, 2, 2);
        for (ExecutionPath p : new ExecutionPath[] {ExecutionPath.SAMEDIFF, ExecutionPath.DL4J_LAYERS}) {
            INDArray grad = Models.builder(g).inputSpec(InputSpec.builder().shape(1, 2, 2).build()).executionPath(p)
                    .build().gradient(x, Targets.logit(0)).gradient();
            assertTrue(grad.equalsWithEps(expected, 1e-12), p + ": " + grad);
        }
    }

    /** The Fashion-MNIST-shaped CNN on images whose background is exactly zero: both engines give one gradient. */
    @Test
    void enginesAgreeOnBlackBackgroundImagesFullOfTies() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).weightInit(WeightInit.RELU).list()
                .layer(new ConvolutionLayer.Builder(3, 3).convolutionMode(ConvolutionMode.Same).nOut(6)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).convolutionMode(ConvolutionMode.Same).nOut(8)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).build())
                .layer(new DenseLayer.Builder().nOut(12).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(16, 16, 1)).build());
        net.init();
        Random r = new Random(5);
        double[] d = new double[8 * 16 * 16];
        for (int i = 0; i < d.length; i++) {
            int y = (i / 16) % 16;
            int xx = i % 16;
            boolean item = y > 4 && y < 12 && xx > 3 && xx < 11;
            d[i] = item ? r.nextInt(4) / 3.0 : 0; // a few grey levels: ties inside the item too
        }
        INDArray x = Nd4j.createFromArray(d).reshape(8, 1, 16, 16);
        INDArray fast = wrap(net, ExecutionPath.SAMEDIFF, 1, 16).gradient(x, Targets.predicted()).gradient();
        INDArray layers = wrap(net, ExecutionPath.DL4J_LAYERS, 1, 16).gradient(x, Targets.predicted()).gradient();
        double scale = layers.amaxNumber().doubleValue();
        assertTrue(scale > 0);
        assertTrue(fast.sub(layers).amaxNumber().doubleValue() <= 1e-10 * scale, "engines differ at ties by "
                + fast.sub(layers).amaxNumber());
        INDArray guidedFast = wrap(net, ExecutionPath.SAMEDIFF, 1, 16).gradient(x, Targets.predicted(),
                ReluRule.GUIDED).gradient();
        INDArray guidedLayers = wrap(net, ExecutionPath.DL4J_LAYERS, 1, 16).gradient(x, Targets.predicted(),
                ReluRule.GUIDED).gradient();
        assertTrue(guidedFast.equalsWithEps(guidedLayers, 1e-10 * Math.max(1, scale)), "guided differs at ties");
    }
}
