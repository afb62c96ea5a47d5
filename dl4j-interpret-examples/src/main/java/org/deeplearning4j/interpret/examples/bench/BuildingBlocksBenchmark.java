package org.deeplearning4j.interpret.examples.bench;

import org.deeplearning4j.interpret.blocks.BuildingBlocks;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.featurevis.Objectives;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.zoo.Zoo;
import org.deeplearning4j.interpret.zoo.ZooEntry;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Locale;

/**
 * Benchmark harness (not a test): Building Blocks and feature visualization at the speeds users wait for. (1) The
 * activation grid of a 28x28 one-channel CNN's 11x11 layer (conv 3x3, max pool, conv 3x3: 121 positions, random
 * weights, the default 256 steps and 16 positions per batch): total and per position, and the forward pass of one
 * image for scale. (2) A 512-step visualization of one VGG16 channel (block4_conv3) at 224x224: total, per step, and
 * per step over one forward pass of the same image.
 *
 * <p>Usage: {@code mvn -pl dl4j-interpret-examples exec:exec
 * -Dexample=org.deeplearning4j.interpret.examples.bench.BuildingBlocksBenchmark -Dexample.args="256 512"} (grid steps,
 * VGG16 steps; 0 skips that part).
 */
public final class BuildingBlocksBenchmark {
    private BuildingBlocksBenchmark() {
    }

    /** @return the 28x28 CNN: conv 3x3 (26x26), max pool (13x13), conv 3x3 (11x11, "conv2"), dense, softmax */
    static MultiLayerNetwork smallCnn() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).weightInit(WeightInit.RELU).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(16).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(32).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** @param rawArgs grid steps, VGG16 channel steps */
    public static void main(String[] rawArgs) {
        String[] args = String.join(" ", rawArgs).trim().isEmpty() ? new String[0]
                : String.join(" ", rawArgs).trim().split("\\s+");
        int gridSteps = args.length > 0 ? Integer.parseInt(args[0]) : BuildingBlocks.DEFAULT_STEPS;
        int vggSteps = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        System.out.println(Runtime.getRuntime().availableProcessors() + " cores");
        if (gridSteps > 0) {
            InterpretableModel m = Models.builder(smallCnn()).inputSpec(InputSpec.builder().shape(1, 28, 28)
                    .pixelRange(0, 1).build()).build();
            String layer = "layer2"; // the second convolution, after its ReLU
            Nd4j.getRandom().setSeed(3);
            INDArray image = Nd4j.rand(DataType.FLOAT, 1, 1, 28, 28);
            BuildingBlocks blocks = BuildingBlocks.builder(m, layer).steps(gridSteps).seed(1).build();
            INDArray act = blocks.activationVectors(image);
            double fwd = Timing.median(5, () -> m.logits(image));
            double grid = Timing.once(() -> blocks.activationGrid(act));
            long positions = act.size(1) * act.size(2);
            System.out.println(String.format(Locale.ROOT, "| activation grid | %s %dx%d, %d positions, %d steps | "
                    + "total %.1f s | per position %.3f s | per position-step %.2f ms | forward of one image %.2f ms |",
                    layer, act.size(1), act.size(2), positions, gridSteps, grid, grid / positions,
                    grid / positions / gridSteps * 1e3, fwd * 1e3));
        }
        if (vggSteps > 0) {
            InterpretableModel vgg = Zoo.vgg16().interpretable(Zoo.vgg16().randomInit(1));
            Nd4j.getRandom().setSeed(5);
            INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 224, 224).muli(255).subi(115);
            double fwd = Timing.median(3, () -> vgg.logits(x));
            FeatureVisualization fv = FeatureVisualization.builder().steps(vggSteps).seed(1).logProgress(false).build();
            fv.run(vgg, Objectives.channel("12", 5)); // warm-up: builds the backward graph
            double total = Timing.once(() -> fv.run(vgg, Objectives.channel("12", 5)));
            System.out.println(String.format(Locale.ROOT, "| VGG16 channel (block4_conv3) | %d steps | total %.1f s "
                    + "| per step %.3f s | step / forward %.2f | forward %.3f s |", vggSteps, total,
                    total / vggSteps, total / vggSteps / fwd, fwd));
        }
    }
}
