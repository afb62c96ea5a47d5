package org.deeplearning4j.interpret.zoo;

import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.model.ResNet50;
import org.deeplearning4j.zoo.model.VGG16;
import org.deeplearning4j.zoo.model.VGG19;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;

/**
 * The DL4J zoo's VGG and ResNet models, prepared for interpretation: random He-initialised architectures for tests
 * and benchmarks (no download), and the real pretrained loaders (DL4J's own {@code initPretrained}, with its cache
 * and Adler32 checksum) for users who have the weights.
 *
 * <p>The zoo's ImageNet weights expect Keras "caffe" preprocessing: BGR channel order, 0..255 pixels minus the
 * per-channel ImageNet means {@link #IMAGENET_BGR_MEANS} ({@code VGG16ImagePreProcessor}); {@link #IMAGENET_SPEC}
 * records that so occlusion baselines and rendered inputs are right.
 */
public final class ZooModels {
    /** ImageNet mean pixel in BGR order, as subtracted by DL4J's {@code VGG16ImagePreProcessor}. */
    public static final double[] IMAGENET_BGR_MEANS = {103.939, 116.779, 123.68};
    /** Input spec of the zoo's ImageNet models: 3x224x224, BGR, 0..255 minus the ImageNet means. */
    public static final InputSpec IMAGENET_SPEC = InputSpec.builder().shape(3, 224, 224).pixelRange(0, 255)
            .channelMeans(IMAGENET_BGR_MEANS).channelOrder(InputSpec.ChannelOrder.BGR).build();
    /** ImageNet classes. */
    public static final int IMAGENET_CLASSES = 1000;
    /** Chunk size for 224x224 models: bounds the activation memory of one pass. */
    public static final int ZOO_MAX_BATCH = 8;

    private ZooModels() {
    }

    /**
     * VGG16 with He-normal weights ({@code N(0, 2/fanIn)}) and zero biases, so activations stay finite; for tests
     * and benchmarks.
     *
     * @param seed weight seed
     * @return an initialised graph (138M parameters, FP32)
     */
    public static ComputationGraph vgg16Random(long seed) {
        ComputationGraph g = VGG16.builder().numClasses(IMAGENET_CLASSES).seed(seed).build().init();
        heInit(g, seed);
        return g;
    }

    /**
     * @param seed weight seed
     * @return VGG19 with He-normal weights
     */
    public static ComputationGraph vgg19Random(long seed) {
        ComputationGraph g = VGG19.builder().numClasses(IMAGENET_CLASSES).seed(seed).build().init();
        heInit(g, seed);
        return g;
    }

    /**
     * ResNet50 with He (ReLU) initialisation; the zoo's default truncated-normal(0, 0.5) init overflows to -3.4e38.
     *
     * @param seed weight seed
     * @return an initialised graph (25.6M parameters, FP32)
     */
    public static ComputationGraph resnet50Random(long seed) {
        return ResNet50.builder().numClasses(IMAGENET_CLASSES).seed(seed)
                .weightInit(WeightInit.RELU.getWeightInitFunction()).build().init();
    }

    /**
     * Loads the zoo's pretrained ImageNet VGG16 (downloaded once into {@code ~/.deeplearning4j/models}, checksum
     * verified by DL4J). Offline, put {@code vgg16_dl4j_inference.zip} into that cache first.
     *
     * @return the pretrained graph
     * @throws IOException when the weights cannot be fetched or verified; the message says where to put them
     */
    public static ComputationGraph vgg16Pretrained() throws IOException {
        return pretrained(VGG16.builder().build(), "vgg16", "vgg16_dl4j_inference.zip");
    }

    /**
     * @return the pretrained ImageNet ResNet50
     * @throws IOException when the weights cannot be fetched or verified
     * @see #vgg16Pretrained()
     */
    public static ComputationGraph resnet50Pretrained() throws IOException {
        return pretrained(ResNet50.builder().build(), "resnet50", "resnet50_dl4j_inference.v3.zip");
    }

    private static ComputationGraph pretrained(org.deeplearning4j.zoo.ZooModel zoo, String dir, String file)
            throws IOException {
        try {
            return (ComputationGraph) zoo.initPretrained(PretrainedType.IMAGENET);
        } catch (IOException | RuntimeException e) {
            throw new IOException("Could not load the pretrained " + dir + " weights (" + e + "). Without network "
                    + "access, copy " + file + " to ~/.deeplearning4j/models/" + dir + "/" + file + " (or set "
                    + "-Dorg.deeplearning4j.resources.directory) and retry", e);
        }
    }

    /**
     * @param zooGraph a zoo ImageNet graph
     * @return the adapter with {@link #IMAGENET_SPEC} and {@link #ZOO_MAX_BATCH}
     */
    public static InterpretableModel interpretable(ComputationGraph zooGraph) {
        return Models.builder(zooGraph).inputSpec(IMAGENET_SPEC).maxBatchSize(ZOO_MAX_BATCH).build();
    }

    /** Re-initialises every weight matrix with He-normal values and zeroes the biases. */
    static void heInit(ComputationGraph g, long seed) {
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        for (Layer l : g.getLayers()) {
            if (!(l instanceof BaseLayer) || l.getParam("W") == null) {
                continue;
            }
            INDArray w = l.getParam("W");
            long fanIn = w.rank() == 4 ? w.size(1) * w.size(2) * w.size(3) : w.size(0);
            w.assign(Nd4j.randn(rng, w.shape()).castTo(w.dataType()).muli(Math.sqrt(2.0 / fanIn)));
            INDArray b = l.getParam("b");
            if (b != null) {
                b.assign(0);
            }
        }
    }
}
