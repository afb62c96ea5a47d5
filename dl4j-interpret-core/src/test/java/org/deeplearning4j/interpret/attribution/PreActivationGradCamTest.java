package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.io.Npy;
import org.deeplearning4j.interpret.model.ExecutionPath;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.LayerGradient;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.File;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every convolution with a fused activation offers its pre-activation output; Grad-CAM there is the paper's. */
class PreActivationGradCamTest {
    private static MultiLayerNetwork net() {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(6)
                .dataType(DataType.DOUBLE).weightInit(WeightInit.RELU).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(5).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 1)).build());
        n.init();
        return n;
    }

    @Test
    void preActivationLayersExistAndTheNetworkComputesTheSameFunction() {
        MultiLayerNetwork n = net();
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 1, 8, 8);
        for (ExecutionPath p : new ExecutionPath[] {ExecutionPath.SAMEDIFF, ExecutionPath.DL4J_LAYERS}) {
            InterpretableModel m = Models.builder(n).inputSpec(InputSpec.builder().shape(1, 8, 8).build())
                    .executionPath(p).build();
            assertEquals("ConvolutionLayer (pre-activation)", m.layer("layer2#pre").type());
            assertEquals("ConvolutionLayer (relu)", m.layer("layer2").type());
            INDArray pre = m.activations(x, "layer2#pre").get("layer2#pre");
            assertTrue(Transforms.relu(pre, true).equalsWithEps(m.activations(x, "layer2").get("layer2"), 1e-12));
            assertTrue(pre.minNumber().doubleValue() < 0, "the pre-activation has negative values");
            assertTrue(Transforms.softmax(m.logits(x), true).equalsWithEps(n.output(x), 1e-10), p.toString());
        }
    }

    @Test
    void gradCamAtThePreActivationIsThePapersFormulaAndComesAsAFullLayerResolutionResult(@TempDir Path dir)
            throws Exception {
        MultiLayerNetwork n = net();
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 1, 8, 8);
        INDArray previous = null;
        for (ExecutionPath p : new ExecutionPath[] {ExecutionPath.SAMEDIFF, ExecutionPath.DL4J_LAYERS}) {
            InterpretableModel m = Models.builder(n).inputSpec(InputSpec.builder().shape(1, 8, 8).build())
                    .executionPath(p).build();
            GradCam cam = GradCam.builder(m).layer("layer2#pre").relu(false).build();
            AttributionResult r = cam.layerResult(x, Targets.logit(1));
            LayerGradient lg = m.layerGradient(x, Targets.logit(1), "layer2#pre");
            INDArray w = lg.gradient().mean(2, 3);
            INDArray expected = Nd4j.zeros(DataType.DOUBLE, 2, 4, 4);
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < 5; k++) {
                    expected.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).addi(lg.activation()
                            .get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                                    org.nd4j.linalg.indexing.NDArrayIndex.point(k)).mul(w.getDouble(i, k)));
                }
            }
            assertTrue(r.map().equalsWithEps(expected, 1e-10), p + " pre-activation Grad-CAM");
            assertEquals(4, r.attributions().rank());
            assertEquals(1, r.attributions().size(1));
            assertEquals("layer", r.options().get("resolution"));
            assertEquals("layer2#pre", r.options().get("layer"));
            assertTrue(r.targetValues().equalsWithEps(m.logits(x).getColumn(1), 1e-12));
            File npy = new File(dir.toFile(), p + ".npy");
            r.saveAttributionsNpy(npy);
            assertTrue(Npy.read(npy).reshape(r.attributions().shape()).equalsWithEps(r.attributions(), 1e-12));
            if (previous != null) {
                assertTrue(previous.equalsWithEps(r.map(), 1e-10), "engines differ");
            }
            previous = r.map();
            INDArray post = cam.layerMap(x, Targets.logit(1));
            assertEquals(2, post.rank() == 3 ? 2 : -1);
        }
    }
}
