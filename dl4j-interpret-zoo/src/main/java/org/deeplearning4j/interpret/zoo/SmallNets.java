package org.deeplearning4j.interpret.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
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
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Small VGG-style and ResNet-style networks for low-resolution data (28 to 64 pixels, e.g. Fashion-MNIST), trainable
 * on CPU in minutes. Layer names follow the big models' conventions ({@code block2_conv2}, {@code res3b}) so the same
 * code reads both.
 */
public final class SmallNets {
    /** Smallest supported input side. */
    public static final int MIN_SIZE = 28;
    /** Largest supported input side. */
    public static final int MAX_SIZE = 64;
    /** Adam learning rate. */
    public static final double LEARNING_RATE = 1e-3;

    private SmallNets() {
    }

    private static void checkSize(int channels, int size, int classes) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("Small networks take " + MIN_SIZE + " to " + MAX_SIZE + " pixel inputs, "
                    + "got " + size + "; use the zoo's VGG16/ResNet50 for larger images");
        }
        if (channels < 1 || classes < 2) {
            throw new IllegalArgumentException("Need channels >= 1 and classes >= 2, got " + channels + " and "
                    + classes);
        }
    }

    /**
     * VGG-style: three blocks of two 3x3 convolutions (32, 64, 128 channels) with max pooling, then a 256-unit dense
     * layer with dropout and a softmax output. Names: {@code block1_conv1 .. block3_conv2}, {@code block1_pool ..},
     * {@code fc1}, {@code predictions}.
     *
     * @param channels input channels
     * @param size input side (28 to 64)
     * @param classes classes
     * @param seed weight seed
     * @return an initialised, untrained graph
     */
    public static ComputationGraph vgg(int channels, int size, int classes, long seed) {
        return init(vggConfiguration(channels, size, classes, seed));
    }

    /**
     * @param channels input channels
     * @param size input side (28 to 64)
     * @param classes classes
     * @param seed weight seed
     * @return the configuration of {@link #vgg(int, int, int, long)}, without allocating weights
     */
    public static ComputationGraphConfiguration vggConfiguration(int channels, int size, int classes, long seed) {
        checkSize(channels, size, classes);
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(seed)
                .weightInit(WeightInit.RELU).updater(new Adam(LEARNING_RATE)).graphBuilder().addInputs("input");
        String prev = "input";
        int[] widths = {32, 64, 128};
        for (int block = 1; block <= widths.length; block++) {
            for (int k = 1; k <= 2; k++) {
                String name = "block" + block + "_conv" + k;
                b.addLayer(name, new ConvolutionLayer.Builder(3, 3).nOut(widths[block - 1])
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build(), prev);
                prev = name;
            }
            String pool = "block" + block + "_pool";
            b.addLayer(pool, new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                    .convolutionMode(ConvolutionMode.Truncate).build(), prev);
            prev = pool;
        }
        b.addLayer("fc1", new DenseLayer.Builder().nOut(256).activation(Activation.RELU).dropOut(0.5).build(), prev)
                .addLayer("predictions", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).build(), "fc1")
                .setOutputs("predictions").setInputTypes(InputType.convolutional(size, size, channels));
        return b.build();
    }

    /**
     * ResNet-style: a 3x3 stem (16 channels, batch norm, ReLU), three stages of two basic residual blocks (16, 32,
     * 64 channels; the first block of stages 2 and 3 strides by 2 with a 1x1 projection shortcut), global average
     * pooling and a softmax output. Each block's output (after the addition and ReLU) is named {@code res<stage><a|b>}.
     *
     * @param channels input channels
     * @param size input side (28 to 64)
     * @param classes classes
     * @param seed weight seed
     * @return an initialised, untrained graph
     */
    public static ComputationGraph resnet(int channels, int size, int classes, long seed) {
        return init(resnetConfiguration(channels, size, classes, seed));
    }

    /**
     * @param channels input channels
     * @param size input side (28 to 64)
     * @param classes classes
     * @param seed weight seed
     * @return the configuration of {@link #resnet(int, int, int, long)}, without allocating weights
     */
    public static ComputationGraphConfiguration resnetConfiguration(int channels, int size, int classes, long seed) {
        checkSize(channels, size, classes);
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(seed)
                .weightInit(WeightInit.RELU).updater(new Adam(LEARNING_RATE)).graphBuilder().addInputs("input");
        b.addLayer("conv1", conv(16, 1), "input").addLayer("bn_conv1", new BatchNormalization.Builder().build(),
                "conv1").addLayer("conv1_relu", new ActivationLayer(Activation.RELU), "bn_conv1");
        String prev = "conv1_relu";
        int[] widths = {16, 32, 64};
        for (int stage = 1; stage <= 3; stage++) {
            for (char blk = 'a'; blk <= 'b'; blk++) {
                String n = "res" + stage + blk;
                int stride = stage > 1 && blk == 'a' ? 2 : 1;
                int w = widths[stage - 1];
                b.addLayer(n + "_branch2a", conv(w, stride), prev)
                        .addLayer(n + "_bn2a", new BatchNormalization.Builder().build(), n + "_branch2a")
                        .addLayer(n + "_relu2a", new ActivationLayer(Activation.RELU), n + "_bn2a")
                        .addLayer(n + "_branch2b", conv(w, 1), n + "_relu2a")
                        .addLayer(n + "_bn2b", new BatchNormalization.Builder().build(), n + "_branch2b");
                String shortcut = prev;
                if (stride != 1) {
                    b.addLayer(n + "_branch1", new ConvolutionLayer.Builder(1, 1).stride(2, 2).nOut(w)
                            .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build(), prev)
                            .addLayer(n + "_bn1", new BatchNormalization.Builder().build(), n + "_branch1");
                    shortcut = n + "_bn1";
                }
                b.addVertex(n + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), n + "_bn2b", shortcut)
                        .addLayer(n, new ActivationLayer(Activation.RELU), n + "_add");
                prev = n;
            }
        }
        b.addLayer("avg_pool", new GlobalPoolingLayer(PoolingType.AVG), prev)
                .addLayer("predictions", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).build(), "avg_pool")
                .setOutputs("predictions").setInputTypes(InputType.convolutional(size, size, channels));
        return b.build();
    }

    private static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static ConvolutionLayer conv(int width, int stride) {
        return new ConvolutionLayer.Builder(3, 3).stride(stride, stride).nOut(width)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build();
    }
}
