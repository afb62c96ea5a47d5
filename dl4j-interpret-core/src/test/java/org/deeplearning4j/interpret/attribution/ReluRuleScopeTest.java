package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guided backprop and deconvnet act at rectifiers, say where, and refuse a network where they would do nothing. */
class ReluRuleScopeTest {
    private static InterpretableModel net(Activation conv, Activation dense) {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(2)
                .dataType(DataType.DOUBLE).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(3).convolutionMode(ConvolutionMode.Same)
                        .activation(conv).build())
                .layer(new DenseLayer.Builder().nOut(5).activation(dense).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 1)).build());
        n.init();
        return Models.builder(n).inputSpec(InputSpec.builder().shape(1, 6, 6).build()).build();
    }

    @Test
    void aNetworkWithoutRectifiersIsRefusedNamingItsActivationsAndAMethodThatWorks() {
        InterpretableModel m = net(Activation.TANH, Activation.SIGMOID);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 1, 1, 6, 6);
        for (Attribution a : new Attribution[] {GuidedBackprop.of(m), Deconvnet.of(m)}) {
            InterpretException e = assertThrows(InterpretException.class, () -> a.attribute(x, Targets.logit(0)));
            assertTrue(e.getMessage().contains("tanh") && e.getMessage().contains("Saliency"), e.getMessage());
        }
    }

    @Test
    void leakyReluAndEluGetTheRuleAndTheResultListsWhichLayersKeptTheirTrueDerivative() {
        InterpretableModel m = net(Activation.LEAKYRELU, Activation.TANH);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 1, 6, 6).subi(0.5);
        AttributionResult guided = GuidedBackprop.of(m).attribute(x, Targets.logit(1));
        AttributionResult plain = Saliency.builder(m).signed(true).build().attribute(x, Targets.logit(1));
        assertFalse(guided.attributions().equalsWithEps(plain.attributions(), 1e-6),
                "guided backprop on leaky ReLU must not be the plain gradient");
        assertEquals("layer0 (leakyrelu(a=0.01))", guided.options().get("ruleAppliedAt"));
        assertTrue(guided.options().get("trueDerivativeAt").startsWith("layer1"), guided.options().toString());
        assertEquals(1, net(Activation.ELU, Activation.IDENTITY).spi().reluRuleCoverage().applied().size());
    }

    /** DL4J's batch normalization ignores the activation it is configured with: it is not listed. */
    @Test
    void batchNormalizationsIgnoredActivationIsNotReported() {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(2)
                .dataType(DataType.DOUBLE).activation(Activation.SIGMOID).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(3).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build())
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 1)).build());
        n.init();
        InterpretableModel m = Models.builder(n).inputSpec(InputSpec.builder().shape(1, 6, 6).build()).build();
        assertTrue(m.spi().reluRuleCoverage().exact().isEmpty(), m.spi().reluRuleCoverage().toString());
    }
}
