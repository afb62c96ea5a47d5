package org.deeplearning4j.interpret.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.zoo.model.ResNet50;
import org.deeplearning4j.zoo.model.VGG16;
import org.deeplearning4j.zoo.model.VGG19;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Random initialisations of the zoo's ImageNet architectures that keep activations finite, for tests and
 * benchmarks without weights ({@link ZooEntry#randomInit(long)} is the public door).
 */
final class ImageNetInit {

    private ImageNetInit() {
    }

    /**
     * VGG16 with He-normal weights ({@code N(0, 2/fanIn)}) and zero biases.
     *
     * @param seed weight seed
     * @return an initialised graph (138M parameters, FP32)
     */
    static ComputationGraph vgg16(long seed) {
        ComputationGraph g = VGG16.builder().numClasses(Zoo.IMAGENET_CLASSES).seed(seed).build().init();
        heInit(g, seed);
        return g;
    }

    /**
     * @param seed weight seed
     * @return VGG19 with He-normal weights
     */
    static ComputationGraph vgg19(long seed) {
        ComputationGraph g = VGG19.builder().numClasses(Zoo.IMAGENET_CLASSES).seed(seed).build().init();
        heInit(g, seed);
        return g;
    }

    /**
     * ResNet50 with He (ReLU) initialisation; the zoo's default truncated-normal(0, 0.5) init overflows to -3.4e38.
     *
     * @param seed weight seed
     * @return an initialised graph (25.6M parameters, FP32)
     */
    static ComputationGraph resnet50(long seed) {
        return ResNet50.builder().numClasses(Zoo.IMAGENET_CLASSES).seed(seed)
                .weightInit(WeightInit.RELU.getWeightInitFunction()).build().init();
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
