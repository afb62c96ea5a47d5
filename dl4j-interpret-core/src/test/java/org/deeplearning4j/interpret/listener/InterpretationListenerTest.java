package org.deeplearning4j.interpret.listener;

import org.deeplearning4j.interpret.attribution.GradCam;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.interpret.testing.TestNets;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The listener never changes training, survives failures, and leaves a timeline report with the raw arrays. */
class InterpretationListenerTest {
    private static final int BATCHES = 6;
    private static final int EPOCHS = 2;

    /** Conv, batch norm, ReLU, dense with dropout: both traps for "interpretation changed training". */
    static MultiLayerNetwork mlnWithDropoutAndBatchNorm() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(17).dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU).updater(new Adam(1e-2)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv").nOut(6).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().name("bn").build())
                .layer(new ActivationLayer.Builder().name("relu").activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("fc").nOut(10).activation(Activation.RELU).dropOut(0.6).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(10, 10, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static List<DataSet> data(long hw, int classes) {
        Nd4j.getRandom().setSeed(5);
        List<DataSet> out = new ArrayList<>();
        for (int i = 0; i < BATCHES; i++) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 8, 3, hw, hw);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 8, classes);
            for (int r = 0; r < 8; r++) {
                y.putScalar(r, (r + i) % y.size(1), 1.0);
            }
            out.add(new DataSet(x, y));
        }
        return out;
    }

    static void train(Model m, List<DataSet> data) {
        Nd4j.getRandom().setSeed(123); // dropout masks come from this thread's generator
        for (int e = 0; e < EPOCHS; e++) {
            for (DataSet d : data) {
                if (m instanceof MultiLayerNetwork) {
                    ((MultiLayerNetwork) m).fit(d);
                } else {
                    ((ComputationGraph) m).fit(d);
                }
            }
            // as DL4J's fit(iterator): listeners hear onEpochEnd, then the epoch is counted
            if (m instanceof MultiLayerNetwork) {
                ((MultiLayerNetwork) m).getListeners().forEach(l -> l.onEpochEnd(m));
                ((MultiLayerNetwork) m).incrementEpochCount();
            } else {
                ((ComputationGraph) m).getListeners().forEach(l -> l.onEpochEnd(m));
                ((ComputationGraph) m).incrementEpochCount();
            }
        }
    }

    @Test
    void parametersAfterTrainingAreBitForBitEqualWithAndWithoutTheListener(@TempDir Path dir) {
        List<DataSet> mlnData = data(10, 3);
        MultiLayerNetwork plain = mlnWithDropoutAndBatchNorm();
        train(plain, mlnData);
        MultiLayerNetwork watched = mlnWithDropoutAndBatchNorm();
        InputSpec spec = InputSpec.builder().shape(3, 10, 10).build();
        InterpretationListener l = InterpretationListener.builder(dir.resolve("mln").toFile(),
                mlnData.get(0).getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)))
                .inputSpec(spec).everyIterations(2).attribution("Saliency", Saliency::of, Targets.predicted())
                .attribution("Grad-CAM", m -> GradCam.builder(m).layer("relu").build(), Targets.logit(1))
                .featureVisualization("conv", new int[] {0, 1}, FeatureVisualization.builder().steps(3)
                        .logProgress(false).build())
                .topActivations("relu", new int[] {0}, 2).build();
        watched.addListeners(l);
        train(watched, mlnData);
        l.close();
        assertEquals(plain.params(), watched.params(), "MultiLayerNetwork parameters changed by the listener");
        assertEquals(plain.getUpdater().getStateViewArray(), watched.getUpdater().getStateViewArray());
        assertEquals(0, l.failures());
        assertTrue(l.completedSnapshots() >= 2 * EPOCHS, "snapshots: " + l.completedSnapshots());

        List<DataSet> cgData = data(10, 4);
        ComputationGraph g1 = TestNets.resnetLike(DataType.FLOAT, 3);
        train(g1, cgData);
        ComputationGraph g2 = TestNets.resnetLike(DataType.FLOAT, 3);
        InterpretationListener lg = InterpretationListener.builder(dir.resolve("cg").toFile(),
                cgData.get(1).getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3)))
                .everyIterations(3).async(false).attribution("Saliency", Saliency::of, Targets.predicted()).build();
        g2.addListeners(lg);
        train(g2, cgData);
        lg.close();
        assertEquals(g1.params(), g2.params(), "ComputationGraph parameters changed by the listener");
        assertEquals(0, lg.failures());
    }

    @Test
    void aFailingInterpretationIsLoggedAndNeverStopsTraining(@TempDir Path dir) {
        List<DataSet> d = data(10, 3);
        MultiLayerNetwork plain = mlnWithDropoutAndBatchNorm();
        train(plain, d);
        MultiLayerNetwork net = mlnWithDropoutAndBatchNorm();
        InterpretationListener l = InterpretationListener.builder(dir.toFile(), d.get(0).getFeatures())
                .inputSpec(InputSpec.builder().shape(3, 10, 10).build()).everyIterations(4)
                .attribution("broken", m -> {
                    throw new IllegalStateException("boom");
                }, Targets.predicted())
                .attribution("bad layer", m -> GradCam.builder(m).layer("nope").build(), Targets.predicted())
                .attribution("Saliency", Saliency::of, Targets.logit(0)).build();
        net.addListeners(l);
        train(net, d);
        l.close();
        assertTrue(l.failures() >= 2, "failures " + l.failures());
        assertEquals(plain.params(), net.params());
        assertTrue(l.report().isFile(), "the working interpretation still reports");
    }

    @Test
    void theTimelineShowsEachInterpretationAcrossSnapshotsWithTheRawArrays(@TempDir Path dir) throws Exception {
        List<DataSet> d = data(10, 3);
        MultiLayerNetwork net = mlnWithDropoutAndBatchNorm();
        INDArray probes = d.get(2).getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2));
        InterpretationListener l = InterpretationListener.builder(dir.toFile(), probes)
                .inputSpec(InputSpec.builder().shape(3, 10, 10).build()).atEpochEnd(true)
                .attribution("Saliency", Saliency::of, Targets.predicted()).build();
        net.addListeners(l);
        train(net, d);
        l.close();
        assertEquals(EPOCHS, l.completedSnapshots());
        assertEquals(List.of("Saliency, probe 0", "Saliency, probe 1"), l.rows());
        String html = Files.readString(l.report().toPath());
        assertTrue(html.contains("epoch 1") && html.contains("epoch 2"), "snapshot captions");
        assertEquals(2 * EPOCHS, html.split("<img").length - 1, "one image per probe per snapshot");
        File maps = dir.resolve("snapshots/epoch-2/saliency-maps.npy").toFile();
        assertTrue(maps.isFile());
        assertEquals(List.of(2L, 10L, 10L), java.util.Arrays.stream(
                org.deeplearning4j.interpret.io.Npy.read(maps).shape()).boxed().collect(java.util.stream.Collectors
                .toList()));
    }

    /** A small SameDiff classifier with a training configuration (conv, ReLU, max pooling, dense). */
    static org.nd4j.autodiff.samediff.SameDiff sameDiffClassifier() {
        Nd4j.getRandom().setSeed(31);
        org.nd4j.autodiff.samediff.SameDiff sd = org.nd4j.autodiff.samediff.SameDiff.create();
        org.nd4j.autodiff.samediff.SDVariable in = sd.placeHolder("input", DataType.FLOAT, -1, 3, 10, 10);
        org.nd4j.autodiff.samediff.SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, 3);
        org.nd4j.autodiff.samediff.SDVariable w = sd.var("w", Nd4j.randn(DataType.FLOAT, 3, 3, 3, 4).muli(0.3));
        org.nd4j.autodiff.samediff.SDVariable conv = sd.cnn().conv2d("conv", in, w,
                org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig.builder().kH(3).kW(3).sH(1)
                        .sW(1).dH(1).dW(1).paddingMode(org.nd4j.linalg.api.ops.impl.layers.convolution.config
                                .PaddingMode.SAME).dataFormat("NCHW").build());
        org.nd4j.autodiff.samediff.SDVariable relu = sd.nn().relu("relu", conv, 0);
        // max pooling: a graph in training then holds maxpool2d_bp, which SameDiff's FlatBuffers reader cannot map
        org.nd4j.autodiff.samediff.SDVariable pool = sd.cnn().maxPooling2d("pool", relu,
                org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig.builder().kH(2).kW(2).sH(2)
                        .sW(2).isNHWC(false).build());
        org.nd4j.autodiff.samediff.SDVariable flat = sd.reshape("flat", pool, -1, 100);
        org.nd4j.autodiff.samediff.SDVariable w2 = sd.var("w2", Nd4j.randn(DataType.FLOAT, 100, 3).muli(0.05));
        org.nd4j.autodiff.samediff.SDVariable logits = sd.mmul("logits", flat, w2);
        // cross-entropy written out: in M2.1 sd.loss().softmaxCrossEntropy with null weights trains a zero weight
        label.mul(sd.nn().logSoftmax(logits)).sum(1).mean().neg().rename("loss");
        sd.setLossVariables("loss");
        sd.setTrainingConfig(org.nd4j.autodiff.samediff.TrainingConfig.builder().updater(new Adam(1e-2))
                .dataSetFeatureMapping("input").dataSetLabelMapping("label").build());
        return sd;
    }

    @Test
    void theSameDiffListenerLeavesTrainingUnchangedAndFillsTheTimeline(@TempDir Path dir) {
        List<DataSet> d = data(10, 3);
        org.nd4j.autodiff.samediff.SameDiff plain = sameDiffClassifier();
        plain.fit(new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(d, 1), EPOCHS);
        org.nd4j.autodiff.samediff.SameDiff watched = sameDiffClassifier();
        InterpretationListener l = InterpretationListener.builder(dir.toFile(),
                d.get(0).getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)))
                .everyIterations(3).attribution("Saliency", Saliency::of, Targets.predicted())
                .attribution("Grad-CAM", m -> GradCam.builder(m).layer("relu").build(), Targets.logit(0))
                .featureVisualization("relu", new int[] {1}, FeatureVisualization.builder().steps(2)
                        .logProgress(false).build())
                .build();
        watched.fit(new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(d, 1), EPOCHS,
                l.forSameDiff(watched, "input", "logits", "conv", "relu"));
        l.close();
        for (String v : List.of("w", "w2")) {
            assertEquals(plain.getArrForVarName(v), watched.getArrForVarName(v), v + " changed by the listener");
        }
        assertEquals(0, l.failures());
        assertTrue(l.completedSnapshots() >= EPOCHS + 2, "snapshots " + l.completedSnapshots());
        assertTrue(l.rows().contains("Grad-CAM, probe 1") && l.rows().contains("relu channel 1"), l.rows()::toString);
    }

    @Test
    void badConfigurationIsRefused(@TempDir Path dir) {
        INDArray p = Nd4j.zeros(DataType.FLOAT, 1, 3, 10, 10);
        assertThrows(IllegalArgumentException.class, () -> InterpretationListener.builder(dir.toFile(), p).build());
        assertThrows(IllegalArgumentException.class, () -> InterpretationListener.builder(dir.toFile(),
                Nd4j.zeros(3, 10, 10)));
        assertThrows(IllegalArgumentException.class, () -> InterpretationListener.builder(dir.toFile(), p)
                .atEpochEnd(false).attribution("s", Saliency::of, Targets.predicted()).build());
    }
}
