package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An InputSpec the network cannot take is refused when the model is wrapped, saying what fits. */
class SpecFitTest {

    @Test
    void aSpecWithOtherChannelsOrSizesIsRefusedAtWrapNotInANativeOp() {
        MultiLayerNetwork net = ShapesCnn.build(1, 28, 10, 11);
        String channels = assertThrows(IllegalArgumentException.class, () -> Models.builder(net)
                .inputSpec(InputSpec.builder().shape(3, 28, 28).build()).build()).getMessage();
        assertTrue(channels.contains("3 input channels") && channels.contains("takes 1"), channels);
        // this CNN ends in global pooling: any image size fits
        assertEquals(10, Models.builder(net).inputSpec(InputSpec.builder().shape(1, 32, 32).build()).build()
                .numClasses());
        // a LeNet-style CNN with a dense layer sized for 28x28 images does not take 32x32 ones
        MultiLayerNetwork lenet = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .seed(1).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(5, 5).nOut(4).build())
                .layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder().kernelSize(2, 2).stride(2, 2)
                        .build())
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nOut(8).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nOut(10).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(28, 28, 1)).build());
        lenet.init();
        String size = assertThrows(IllegalArgumentException.class, () -> Models.builder(lenet)
                .inputSpec(InputSpec.builder().shape(1, 32, 32).build()).build()).getMessage();
        assertTrue(size.contains("1x32x32") && size.contains("shape(c, h, w)"), size);
        InterpretableModel ok = Models.builder(lenet).inputSpec(InputSpec.builder().shape(1, 28, 28).build())
                .build();
        assertEquals(10, ok.numClasses());
    }

    @Test
    void aSameDiffGraphRefusesASpecItsPlaceholderContradicts() {
        org.nd4j.autodiff.samediff.SameDiff sd = SameDiffModelTest.sameDiffCopyOf(SameDiffModelTest.smallGraph());
        String msg = assertThrows(IllegalArgumentException.class, () -> Models.builder(sd, "input", "logits")
                .inputSpec(InputSpec.builder().shape(1, 16, 16).build()).build()).getMessage();
        assertTrue(msg.contains("placeholder 'input'") && msg.contains("shape(1, 8, 8)"), msg);
    }
}
