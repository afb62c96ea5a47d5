package org.deeplearning4j.interpret.testing;

import org.deeplearning4j.interpret.data.FashionMnist;
import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Assumptions;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.UncheckedIOException;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The small CNN trained once per test JVM on 6000 Fashion-MNIST images for 2 epochs (seconds), shared read-only by
 * tests, with 200 held-out test images. Skips the calling test when the dataset is not installed, except under CI.
 */
public final class TrainedFashionMnist {
    private static MultiLayerNetwork net;
    private static DataSet test;

    private TrainedFashionMnist() {
    }

    private static synchronized void ensure() {
        if (!FashionMnist.available()) {
            assertTrue(System.getenv("CI") == null, "CI must install Debian's dataset-fashion-mnist (see .ci/run)");
            Assumptions.abort("Fashion-MNIST not installed");
        }
        if (net == null) {
            try {
                DataSet train = FashionMnist.load(FashionMnist.DEFAULT_DIR, true, 6000);
                test = FashionMnist.load(FashionMnist.DEFAULT_DIR, false, 200);
                MultiLayerNetwork n = ShapesCnn.build(1, 28, 10, 11);
                ShapesCnn.train(n, train, 2, 5);
                net = n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** @return the trained network (do not train it further: it is shared) */
    public static MultiLayerNetwork network() {
        ensure();
        return net;
    }

    /** @return the 200 held-out test images and labels */
    public static DataSet test() {
        ensure();
        return test;
    }

    /** @return the network wrapped with black (0) as the neutral value, as on this data */
    public static InterpretableModel model() {
        return Models.builder(network()).inputSpec(InputSpec.builder().shape(1, 28, 28).neutralValues(0).build())
                .build();
    }
}
