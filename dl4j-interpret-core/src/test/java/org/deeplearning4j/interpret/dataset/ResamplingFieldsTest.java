package org.deeplearning4j.interpret.dataset;

import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.model.ReceptiveField;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Receptive fields, crops and saved search results through upsampling and cropping layers. */
class ResamplingFieldsTest {
    @TempDir
    Path dir;

    private static InterpretableModel net() {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(3).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.TANH).build())
                .layer(new Upsampling2D.Builder(2).build())
                .layer(new Cropping2D(1, 1, 2, 0))
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 1)).build());
        n.init();
        return Models.builder(n).inputSpec(InputSpec.builder().shape(1, 8, 8).build()).build();
    }

    /** The unit's true dependency set: the support of its input gradient at a random input. */
    private static ReceptiveField support(InterpretableModel m, String layer, int y, int x) {
        Nd4j.getRandom().setSeed(y * 31 + x);
        INDArray probe = Nd4j.rand(DataType.DOUBLE, 1, 1, 8, 8);
        long channels = m.layer(layer).outputShape()[0];
        INDArray g = Nd4j.zeros(DataType.DOUBLE, 1, 1, 8, 8);
        for (int c = 0; c < channels; c++) {
            g.addi(Transforms.abs(m.gradient(probe, Targets.neuron(layer, c, y, x)).gradient()));
        }
        INDArray map = g.reshape(8, 8);
        int top = -1;
        int bottom = -1;
        int left = 99;
        int right = -1;
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 8; j++) {
                if (map.getDouble(i, j) > 0) {
                    top = top < 0 ? i : top;
                    bottom = i;
                    left = Math.min(left, j);
                    right = Math.max(right, j);
                }
            }
        }
        return new ReceptiveField(top, left, bottom - top + 1, right - left + 1);
    }

    @Test
    void fieldsThroughUpsamplingAndCroppingAreTheUnitsTrueSupport() {
        InterpretableModel m = net();
        for (String layer : List.of("layer1", "layer2", "layer3")) {
            long[] s = m.layer(layer).outputShape();
            for (int[] p : new int[][] {{0, 0}, {(int) s[1] / 2, (int) s[2] - 1}, {(int) s[1] - 1, 1}}) {
                ReceptiveField f = m.receptiveField(layer, p[0], p[1]).clip(8, 8);
                assertEquals(support(m, layer, p[0], p[1]), f, layer + " unit " + p[0] + "," + p[1]);
            }
        }
    }

    @Test
    void searchAfterUpsamplingAndCroppingSavesAndLoadsWithCrops() throws Exception {
        InterpretableModel m = net();
        Nd4j.getRandom().setSeed(4);
        ExampleSearchResult r = ExampleSearch.builder(m).channels("layer3").k(2).build()
                .search(List.of(Nd4j.rand(DataType.DOUBLE, 6, 1, 8, 8)).iterator());
        File f = dir.resolve("search.bin").toFile();
        r.save(f);
        ExampleSearchResult back = ExampleSearchResult.load(f);
        for (Unit u : r.units()) {
            for (int i = 0; i < r.top(u).size(); i++) {
                Hit h = r.top(u).get(i);
                assertTrue(h.crop().length() > 0, u + " has an empty crop");
                assertEquals(h.field(), back.top(u).get(i).field());
            }
        }
    }
}
