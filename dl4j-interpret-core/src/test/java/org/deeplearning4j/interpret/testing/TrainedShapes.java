package org.deeplearning4j.interpret.testing;

import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.data.SyntheticShapes;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** The small CNN trained once per test JVM on the synthetic shapes (a few seconds), shared read-only by tests. */
public final class TrainedShapes {
    /** Image side. */
    public static final int SIZE = 32;
    /** Training examples. */
    public static final int TRAIN = 4000;
    /** Epochs. */
    public static final int EPOCHS = 3;

    private static MultiLayerNetwork net;

    private TrainedShapes() {
    }

    /** @return the trained network (do not train it further in tests: it is shared) */
    public static synchronized MultiLayerNetwork network() {
        if (net == null) {
            net = ShapesCnn.build(SIZE, 7);
            ShapesCnn.train(net, SyntheticShapes.builder().size(SIZE).seed(1).build().generate(TRAIN), EPOCHS, 3);
        }
        return net;
    }

    /**
     * @param n examples
     * @return a held-out sample (different seed from training)
     */
    public static SyntheticShapes.Sample heldOut(int n) {
        return SyntheticShapes.builder().size(SIZE).seed(99).build().generate(n);
    }
}
