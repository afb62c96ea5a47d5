package org.deeplearning4j.interpret.testing;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Analytic fixture: logits = W^T flatten(x) + b on a [C,H,W] input, with known answers for every method. */
public final class LinearModels {
    private LinearModels() {
    }

    /**
     * @param c channels
     * @param h height
     * @param w width
     * @param classes outputs
     * @param seed init seed
     * @return the network (softmax output, so logits are the pre-activation)
     */
    public static MultiLayerNetwork linear(int c, int h, int w, int classes, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE)
                .list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(h, w, c)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }
}
