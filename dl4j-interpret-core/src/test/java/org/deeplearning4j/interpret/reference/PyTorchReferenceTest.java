package org.deeplearning4j.interpret.reference;


import org.deeplearning4j.interpret.attribution.Baselines;
import org.deeplearning4j.interpret.attribution.Deconvnet;
import org.deeplearning4j.interpret.attribution.DeepLift;
import org.deeplearning4j.interpret.attribution.GradCam;
import org.deeplearning4j.interpret.attribution.GradientXInput;
import org.deeplearning4j.interpret.attribution.GuidedBackprop;
import org.deeplearning4j.interpret.attribution.Integration;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.Lrp;
import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.gradient.LrpComposite;
import org.deeplearning4j.interpret.io.Npy;
import org.deeplearning4j.interpret.model.ExecutionPath;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.targets.Target;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.deeplearning4j.interpret.testing.References.close;

/**
 * Every method against an independent implementation: plain PyTorch autograd on the same two networks and inputs
 * ({@code tools/reference/make_fixtures.py}, run by hand; its {@code .npy} outputs are committed test resources).
 * Each result must match within 1e-4 of the reference's largest magnitude, on both engines.
 */
class PyTorchReferenceTest {
    // LRP and DeepLIFT: the reference writes each rule out layer by layer (make_fixtures.py), batch norm folded by hand
    private static final Target TARGETS = Targets.logits(new int[] {0, 1, 2});

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static INDArray npy(String net, String name) {
        try {
            File f = new File(PyTorchReferenceTest.class.getResource("/reference/" + net + "/" + name + ".npy")
                    .toURI());
            return Npy.read(f).castTo(DataType.DOUBLE);
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("missing fixture " + net + "/" + name, e);
        }
    }

    /** PyTorch's Linear weight is [out, in]; DL4J's dense W is [in, out]. */
    private static INDArray linear(String net, String name) {
        return npy(net, name).transpose().dup('c');
    }

    private static INDArray row(String net, String name) {
        INDArray v = npy(net, name);
        return v.reshape(1, v.length());
    }

    static MultiLayerNetwork vgg() {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .convolutionMode(ConvolutionMode.Truncate).list()
                .layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(4).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(6).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(8).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(10).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(12, 12, 3)).build());
        n.init();
        String[][] convs = {{"0", "conv1"}, {"1", "conv2"}, {"3", "conv3"}};
        for (String[] c : convs) {
            n.getLayer(Integer.parseInt(c[0])).setParam("W", npy("vgg", "w_" + c[1] + "_W"));
            n.getLayer(Integer.parseInt(c[0])).setParam("b", row("vgg", "w_" + c[1] + "_b"));
        }
        n.getLayer(5).setParam("W", linear("vgg", "w_fc1_W"));
        n.getLayer(5).setParam("b", row("vgg", "w_fc1_b"));
        n.getLayer(6).setParam("W", linear("vgg", "w_fc2_W"));
        n.getLayer(6).setParam("b", row("vgg", "w_fc2_b"));
        return n;
    }

    static ComputationGraph resnet() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .convolutionMode(ConvolutionMode.Truncate).graphBuilder().addInputs("in")
                .addLayer("stem", conv(), "in")
                .addLayer("stem_bn", bn(), "stem")
                .addLayer("stem_relu", new ActivationLayer(Activation.RELU), "stem_bn")
                .addLayer("a", conv(), "stem_relu")
                .addLayer("a_bn", bn(), "a")
                .addLayer("a_relu", new ActivationLayer(Activation.RELU), "a_bn")
                .addLayer("b", conv(), "a_relu")
                .addLayer("b_bn", bn(), "b")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "b_bn", "stem_relu")
                .addLayer("post", new ActivationLayer(Activation.RELU), "add")
                .addLayer("gap", new GlobalPoolingLayer(PoolingType.AVG), "post")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").setInputTypes(InputType.convolutional(10, 10, 3)).build());
        g.init();
        for (String c : new String[] {"stem", "a", "b"}) {
            g.getLayer(c).setParam("W", npy("resnet", "w_" + c + "_W"));
            for (String p : new String[] {"gamma", "beta", "mean", "var"}) {
                g.getLayer(c + "_bn").setParam(p, row("resnet", "w_" + c + "_bn_" + p));
            }
        }
        g.getLayer("out").setParam("W", linear("resnet", "w_fc_W"));
        g.getLayer("out").setParam("b", row("resnet", "w_fc_b"));
        return g;
    }

    private static ConvolutionLayer conv() {
        return new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(4).hasBias(false)
                .activation(Activation.IDENTITY).build();
    }

    private static BatchNormalization bn() {
        return new BatchNormalization.Builder().useLogStd(false).eps(1e-5).build();
    }

    /** Network name, the model, the Grad-CAM layers before and after the last ReLU. */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (ExecutionPath p : new ExecutionPath[] {ExecutionPath.SAMEDIFF, ExecutionPath.DL4J_LAYERS}) {
            out.add(Arguments.of("vgg", p, vgg(), "layer3#pre", "layer3", new long[] {3, 12, 12}));
            out.add(Arguments.of("resnet", p, resnet(), "add", "post", new long[] {3, 10, 10}));
        }
        return out.stream();
    }


    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void everyMethodMatchesPlainPyTorchAutograd(String net, ExecutionPath path, Model dl4j, String camPre,
            String camPost, long[] shape) {
        Models.Builder b = Models.builder(dl4j).inputSpec(InputSpec.builder().shape(shape[0], shape[1], shape[2])
                .build()).executionPath(path);
        InterpretableModel m = b.build();
        INDArray x = npy(net, "input");
        String at = net + " on " + path + ": ";
        close(npy(net, "logits"), m.logits(x), at + "logits");
        close(npy(net, "saliency"), Saliency.builder(m).signed(true).build().attribute(x, TARGETS).attributions(),
                at + "saliency");
        close(npy(net, "gradient_x_input"), GradientXInput.of(m).attribute(x, TARGETS).attributions(),
                at + "gradient x input");
        Object[][] rules = {{"gauss_legendre", Integration.GAUSS_LEGENDRE}, {"left", Integration.RIEMANN_LEFT},
            {"right", Integration.RIEMANN_RIGHT}, {"middle", Integration.RIEMANN_MIDDLE},
            {"trapezoid", Integration.RIEMANN_TRAPEZOID}};
        for (Object[] r : rules) {
            close(npy(net, "ig_" + r[0]), IntegratedGradients.builder(m).steps(16).integration((Integration) r[1])
                    .baselines(Baselines.image(npy(net, "ig_baseline"))).build().attribute(x, TARGETS).attributions(),
                    at + "integrated gradients " + r[0]);
        }
        close(npy(net, "guided_backprop"), GuidedBackprop.of(m).attribute(x, TARGETS).attributions(),
                at + "guided backprop");
        close(npy(net, "deconvnet"), Deconvnet.of(m).attribute(x, TARGETS).attributions(), at + "deconvnet");
        close(npy(net, "occlusion"), Occlusion.builder(m).window(4).stride(2).baselineValue(0).build()
                .attribute(x, TARGETS).map(), at + "occlusion");
        BiFunction<String, String, INDArray> cam = (layer, unused) -> GradCam.builder(m).layer(layer).relu(false)
                .build().layerResult(x, TARGETS).map();
        close(npy(net, "gradcam_pre"), cam.apply(camPre, null), at + "Grad-CAM before the ReLU (" + camPre + ")");
        close(npy(net, "gradcam_post"), cam.apply(camPost, null), at + "Grad-CAM after the ReLU (" + camPost + ")");
        close(npy(net, "deeplift"), DeepLift.builder(m).baselines(Baselines.image(npy(net, "ig_baseline"))).build()
                .attribute(x, TARGETS).attributions(), at + "DeepLIFT (Rescale)");
        Map<String, LrpComposite> composites = new LinkedHashMap<>();
        if (net.equals("vgg")) {
            composites.put("lrp_montavon", LrpComposite.montavon(0, 1));
            composites.put("lrp_epsilon_gamma_box", LrpComposite.epsilonGammaBox(0, 1));
            composites.put("lrp_epsilon_alpha2beta1", LrpComposite.epsilonAlpha2Beta1());
        } else {
            close(npy(net, "deeplift_revealcancel"), DeepLift.builder(m).rule(DeepLift.Rule.REVEAL_CANCEL)
                    .baselines(Baselines.image(npy(net, "ig_baseline"))).build().attribute(x, TARGETS)
                    .attributions(), at + "DeepLIFT (RevealCancel)");
            composites.put("lrp_epsilon_gamma_box", LrpComposite.epsilonGammaBox(-0.3, 0.7));
            composites.put("lrp_epsilon_plus", LrpComposite.epsilonPlus());
        }
        composites.forEach((fixture, c) -> close(npy(net, fixture), Lrp.builder(m).composite(c).build()
                .attribute(x, TARGETS).attributions(), at + fixture));
    }
}
