package org.deeplearning4j.interpret.data;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small CNN used by the quickstart and the localisation tests: three 3x3 convolutions (16, 32, 32 channels) with
 * max pooling, batch normalization on the last two, global average pooling and a softmax output. It learns {@link SyntheticShapes} in seconds on 2 cores.
 */
public final class ShapesCnn {
    private static final Logger log = LoggerFactory.getLogger(ShapesCnn.class);
    /** Adam learning rate. */
    public static final double LEARNING_RATE = 3e-3;
    /** Minibatch size. */
    public static final int BATCH_SIZE = 32;

    private ShapesCnn() {
    }

    /**
     * @param size input side
     * @param seed weight-init seed
     * @return an initialised, untrained network
     */
    public static MultiLayerNetwork build(int size, long seed) {
        return build(3, size, SyntheticShapes.numClasses(), seed);
    }

    /**
     * The same architecture for other data (e.g. Fashion-MNIST: 1 channel, 28 pixels, 10 classes).
     *
     * @param channels input channels
     * @param size input side
     * @param classes output classes
     * @param seed weight-init seed
     * @return an initialised, untrained network
     */
    public static MultiLayerNetwork build(int channels, int size, int classes, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed)
                .weightInit(WeightInit.RELU).updater(new Adam(LEARNING_RATE)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(16)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool1").kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2").nOut(32)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().name("bn2").build())
                .layer(new ActivationLayer.Builder().name("relu2").activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool2").kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv3").nOut(32)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().name("bn3").build())
                .layer(new ActivationLayer.Builder().name("relu3").activation(Activation.RELU).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("gap").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("output")
                        .nOut(classes).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(size, size, channels)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * Trains with progress in the log, one line per epoch.
     *
     * @param net the network
     * @param train training sample
     * @param epochs number of epochs
     * @param seed shuffling seed
     */
    public static void train(MultiLayerNetwork net, SyntheticShapes.Sample train, int epochs, long seed) {
        train(net, train.toDataSet(), epochs, seed);
    }

    /**
     * @param net the network
     * @param train training data (it is shuffled in place)
     * @param epochs number of epochs
     * @param seed shuffling seed
     */
    public static void train(MultiLayerNetwork net, DataSet train, int epochs, long seed) {
        DataSet ds = train;
        for (int e = 0; e < epochs; e++) {
            ds.shuffle(seed + e);
            DataSetIterator it = new ListDataSetIterator<>(ds.asList(), BATCH_SIZE);
            long t0 = System.nanoTime();
            net.fit(it);
            log.info("epoch {}/{}: loss {} ({} ms)", e + 1, epochs, String.format("%.4f", net.score()),
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /**
     * @param net the network
     * @param test held-out sample
     * @return accuracy in [0, 1]
     */
    public static double accuracy(MultiLayerNetwork net, SyntheticShapes.Sample test) {
        int[] pred = net.predict(test.features());
        int[] truth = test.classes();
        int ok = 0;
        for (int i = 0; i < truth.length; i++) {
            ok += pred[i] == truth[i] ? 1 : 0;
        }
        return ok / (double) truth.length;
    }
}
