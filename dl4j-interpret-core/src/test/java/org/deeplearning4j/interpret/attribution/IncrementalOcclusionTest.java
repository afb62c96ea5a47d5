package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.LocalLayers;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Target;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.TestNets;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Incremental occlusion gives plain occlusion's map: for every choice of the last incrementally computed layer, on
 * networks shaped like DL4J's examples (LeNet), with same and truncate padding, strided and rectangular windows, batch
 * norm and average pooling on odd, non-square inputs, and on a residual network whose chain ends at the first branch.
 */
class IncrementalOcclusionTest {
    private static final double TOL = 1e-9;

    /** DL4J's LeNet example at 28x28 (convolutions with identity activation, max pooling, dense ReLU, softmax). */
    static MultiLayerNetwork lenet(long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE)
                .weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(5, 5).nIn(1).stride(1, 1).nOut(6).activation(Activation.IDENTITY)
                        .build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(5, 5).stride(1, 1).nOut(8).activation(Activation.IDENTITY).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().activation(Activation.RELU).nOut(20).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * Same padding on odd sizes, strided convolutions, batch norm, average pooling, a rectangular kernel with uneven
     * padding (dilated convolutions run on the DL4J-layer path, where incremental occlusion is refused).
     */
    static ComputationGraph oddSizes(long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.DOUBLE).weightInit(WeightInit.RELU).graphBuilder().addInputs("in")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().build(), "c1")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(5)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build(), "bn")
                .addLayer("act", new ActivationLayer(Activation.TANH), "c2")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(3, 3).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).build(), "act")
                .addLayer("rect", new ConvolutionLayer.Builder(3, 2).stride(1, 2).padding(2, 0).nOut(6)
                        .activation(Activation.LEAKYRELU).build(), "pool")
                .addLayer("max", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 3).stride(1, 2)
                        .build(), "rect")
                .addLayer("gap", new GlobalPoolingLayer(PoolingType.AVG), "max")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").setInputTypes(InputType.convolutional(27, 23, 2)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        TestNets.randomiseBatchNorm(g, seed);
        return g;
    }

    private static INDArray images(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, shape).subi(0.3);
    }

    /** Plain occlusion and incremental occlusion through every group, and through the layer the cost model picks. */
    private static void matchesPlainThroughEveryGroup(InterpretableModel m, INDArray x, Target t, int window,
            int stride, int batch) {
        INDArray plain = Occlusion.builder(m).window(window).stride(stride).maxBatchSize(batch).build().attribute(x, t)
                .map();
        List<String> cuts = new ArrayList<>();
        for (LocalLayers.Group g : m.spi().localLayers(x.size(1), x.size(2), x.size(3)).groups()) {
            cuts.add(g.outputLayer);
        }
        cuts.add(null);
        for (String cut : cuts) {
            AttributionResult r = Occlusion.builder(m).window(window).stride(stride).maxBatchSize(batch).incremental()
                    .incrementalThrough(cut).build().attribute(x, t);
            double diff = r.map().sub(plain).amaxNumber().doubleValue();
            double scale = plain.amaxNumber().doubleValue();
            assertTrue(diff <= TOL * scale, "through " + cut + " (" + r.options().get("incremental") + "), window "
                    + window + " stride " + stride + ": max difference " + diff + " of " + scale);
        }
    }

    @Test
    void givesPlainOcclusionsMapOnLeNetThroughEveryLayer() {
        InterpretableModel m = Models.of(lenet(3));
        INDArray x = images(1, 2, 1, 28, 28);
        assertEquals(4, m.spi().localLayers(1, 28, 28).groups().size(), "conv, pool, conv, pool");
        matchesPlainThroughEveryGroup(m, x, Targets.logit(2), 6, 4, 7);
        matchesPlainThroughEveryGroup(m, x, Targets.predicted(), 9, 9, 16);
    }

    @Test
    void givesPlainOcclusionsMapWithSamePaddingStridesDilationAndBatchNormOnOddSizes() {
        InterpretableModel m = Models.of(oddSizes(5));
        INDArray x = images(2, 2, 2, 27, 23);
        matchesPlainThroughEveryGroup(m, x, Targets.logit(1), 5, 3, 8);
        matchesPlainThroughEveryGroup(m, x, Targets.logit(0), 4, 2, 5);
        matchesPlainThroughEveryGroup(m, x, Targets.logit(2), 8, 7, 3);
    }

    @Test
    void givesPlainOcclusionsMapOnTruncatePaddingAndOnAResidualNetworkUpToItsFirstBranch() {
        InterpretableModel vgg = Models.builder(TestNets.vggLike(DataType.DOUBLE, 4)).inputSpec(TestNets.vggSpec())
                .build();
        matchesPlainThroughEveryGroup(vgg, images(3, 2, 3, 12, 12), Targets.logit(1), 3, 2, 6);
        InterpretableModel res = Models.of(TestNets.resnetLike(DataType.DOUBLE, 6));
        assertEquals("stem_relu", last(res.spi().localLayers(3, 10, 10).groups()).outputLayer,
                "the chain ends where the residual branch starts");
        matchesPlainThroughEveryGroup(res, images(4, 1, 3, 10, 10), Targets.logit(3), 3, 1, 9);
    }

    @Test
    void aTargetInsideTheChainIsComputedFromACutBeforeItsLayer() {
        InterpretableModel m = Models.of(lenet(8));
        INDArray x = images(6, 1, 1, 28, 28);
        Target t = Targets.channel("layer2", 3);
        INDArray plain = Occlusion.builder(m).window(6).stride(4).build().attribute(x, t).map();
        for (String cut : new String[] {"layer0", "layer1", null}) {
            AttributionResult r = Occlusion.builder(m).window(6).stride(4).incremental().incrementalThrough(cut)
                    .build().attribute(x, t);
            double diff = r.map().sub(plain).amaxNumber().doubleValue();
            assertTrue(diff <= TOL * plain.amaxNumber().doubleValue(), "through " + cut + ": " + diff);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Occlusion.builder(m)
                .window(6).stride(4).incremental().incrementalThrough("layer2").build().attribute(x, t));
        assertTrue(e.getMessage().contains("before the target's layer"), e.getMessage());
    }

    private static LocalLayers.Group last(List<LocalLayers.Group> groups) {
        return groups.get(groups.size() - 1);
    }

    @Test
    void theApproximateModeKeepsTheMapsShapeAndSaysItIsApproximate() {
        InterpretableModel m = Models.of(lenet(3));
        INDArray x = images(1, 1, 1, 28, 28);
        Target t = Targets.logit(2);
        INDArray exact = Occlusion.builder(m).window(6).stride(3).incremental().build().attribute(x, t).map();
        AttributionResult approx = Occlusion.builder(m).window(6).stride(3).incremental(0.3)
                .incrementalThrough(m.spi().localLayers(1, 28, 28).groups().get(3).outputLayer).build().attribute(x, t);
        assertTrue(approx.options().get("incremental").startsWith("approximate (threshold 0.30)"),
                approx.options().toString());
        assertEquals(java.util.Arrays.toString(exact.shape()), java.util.Arrays.toString(approx.map().shape()));
        double err = approx.map().sub(exact).norm2Number().doubleValue() / exact.norm2Number().doubleValue();
        assertTrue(err > 0 && err < 1, "relative error " + err);
    }

    @Test
    void refusesModelsWithoutLeadingLocalLayersAndBadThresholdsBeforeAnyWork() {
        MultiLayerNetwork dense = org.deeplearning4j.interpret.testing.LinearModels.linear(1, 4, 4, 3, 1);
        InterpretableModel m = Models.builder(dense).inputSpec(InputSpec.builder().shape(1, 4, 4).build()).build();
        InterpretException e = assertThrows(InterpretException.class, () -> Occlusion.builder(m).window(2).stride(2)
                .incremental().build().attribute(Nd4j.rand(DataType.FLOAT, 1, 1, 4, 4), Targets.logit(0)));
        assertTrue(e.getMessage().contains("starts with"), e.getMessage());
        InterpretableModel lenet = Models.of(lenet(1));
        assertThrows(IllegalArgumentException.class, () -> Occlusion.builder(lenet).incremental(0).build());
        assertThrows(IllegalArgumentException.class, () -> Occlusion.builder(lenet).incremental(1.5).build());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Occlusion.builder(lenet)
                .incremental().incrementalThrough("nope").build().attribute(images(1, 1, 1, 28, 28),
                        Targets.logit(0)));
        assertTrue(bad.getMessage().contains("choose one of"), bad.getMessage());
    }
}
