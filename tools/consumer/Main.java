package consumer;

import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** A consumer's first call: wrap a tiny CNN and compute saliency. */
public final class Main {
    public static void main(String[] args) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder().nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 1)).build());
        net.init();
        InterpretableModel m = Models.builder(net).inputSpec(InputSpec.builder().shape(1, 8, 8).build()).build();
        double s = Saliency.of(m).attribute(Nd4j.rand(DataType.FLOAT, 1, 1, 8, 8), Targets.predicted()).map()
                .sumNumber().doubleValue();
        System.out.println("saliency ok (" + Nd4j.getBackend().getClass().getSimpleName() + ", sum " + s + ")");
    }
}
