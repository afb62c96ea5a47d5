package org.deeplearning4j.interpret.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** The networks of {@link CallHistoryTest}, for tests in other packages. */
public final class CallHistoryTestNets {
    private CallHistoryTestNets() {
    }

    /** @return the Fashion-MNIST-shaped CNN of the call-history report (FP32, 1x28x28, 10 classes) */
    public static MultiLayerNetwork examplesCnn() {
        return CallHistoryTest.examplesCnn();
    }
}
