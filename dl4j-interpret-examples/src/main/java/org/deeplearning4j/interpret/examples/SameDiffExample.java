package org.deeplearning4j.interpret.examples;

import org.deeplearning4j.interpret.attribution.Attribution;
import org.deeplearning4j.interpret.attribution.AttributionResult;
import org.deeplearning4j.interpret.attribution.GradCam;
import org.deeplearning4j.interpret.attribution.GradientXInput;
import org.deeplearning4j.interpret.attribution.GuidedBackprop;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.data.SyntheticShapes;
import org.deeplearning4j.interpret.featurevis.FeatureVisResult;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.render.Colormap;
import org.deeplearning4j.interpret.render.FeatureVisImages;
import org.deeplearning4j.interpret.render.Heatmaps;
import org.deeplearning4j.interpret.render.HtmlReport;
import org.deeplearning4j.interpret.targets.Targets;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.io.File;
import java.util.List;

/**
 * Interpretation of a SameDiff graph, as one built in SameDiff or imported from TensorFlow/ONNX arrives: a small CNN
 * trained with DL4J on synthetic shapes is rewritten as a SameDiff graph with the same weights (TensorFlow's
 * {@code [kH, kW, in, out]} kernel layout, NCHW data), then saliency, gradient x input, integrated gradients, guided
 * backprop, Grad-CAM, occlusion and feature visualization run on it through
 * {@code Models.builder(sd, "input", "logits")}; one HTML report. (For a listener during SameDiff training see
 * {@code InterpretationListener.forSameDiff}.)
 *
 * <pre>mvn -pl dl4j-interpret-examples exec:exec -Dexample=org.deeplearning4j.interpret.examples.SameDiffExample</pre>
 */
public final class SameDiffExample {
    private static final Logger log = LoggerFactory.getLogger(SameDiffExample.class);
    private static final int SIZE = 32;
    private static final String[] CONVS = {"conv1", "conv2", "conv3"};

    private SameDiffExample() {
    }

    /** @return conv-ReLU-pool, conv-ReLU-pool, conv-ReLU, global average pooling, softmax: trained by DL4J */
    static MultiLayerNetwork trainedDl4jCnn() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).weightInit(WeightInit.RELU)
                .updater(new Adam(ShapesCnn.LEARNING_RATE)).list()
                .layer(conv(16)).layer(pool()).layer(conv(32)).layer(pool()).layer(conv(32))
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(SyntheticShapes.numClasses())
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(SIZE, SIZE, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        ShapesCnn.train(net, SyntheticShapes.builder().size(SIZE).seed(1).build().generate(4000), 5, 3);
        return net;
    }

    private static ConvolutionLayer conv(int n) {
        return new ConvolutionLayer.Builder(3, 3).nOut(n).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.RELU).build();
    }

    private static SubsamplingLayer pool() {
        return new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
    }

    /** @return the same network as a SameDiff graph: placeholder "input", variables relu1..3, "logits" */
    static SameDiff asSameDiff(MultiLayerNetwork net) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("input", DataType.FLOAT, -1, 3, SIZE, SIZE);
        Conv2DConfig same = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).dH(1).dW(1).paddingMode(PaddingMode.SAME)
                .dataFormat("NCHW").build();
        int[] convLayers = {0, 2, 4};
        for (int i = 0; i < 3; i++) {
            org.deeplearning4j.nn.api.Layer l = net.getLayer(convLayers[i]);
            SDVariable w = sd.var("w" + (i + 1), l.getParam("W").permute(2, 3, 1, 0).dup('c'));
            SDVariable b = sd.var("b" + (i + 1), l.getParam("b").dup().reshape(-1));
            x = sd.nn().relu("relu" + (i + 1), sd.cnn().conv2d(CONVS[i], x, w, b, same), 0);
            if (i < 2) {
                x = sd.cnn().maxPooling2d("pool" + (i + 1), x, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2)
                        .isNHWC(false).build());
            }
        }
        SDVariable gap = x.mean("gap", 2, 3);
        org.deeplearning4j.nn.api.Layer out = net.getLayer(6);
        sd.nn().linear("logits", gap, sd.var("w4", out.getParam("W").dup()), sd.var("b4",
                out.getParam("b").dup().reshape(-1)));
        return sd;
    }

    /** @param args optional output folder */
    public static void main(String[] args) throws Exception {
        File out = new File(args.length > 0 && !args[0].endsWith("quickstart") ? args[0]
                : "interpret-output/samediff");
        MultiLayerNetwork net = trainedDl4jCnn();
        SameDiff sd = asSameDiff(net);
        InputSpec spec = InputSpec.builder().shape(3, SIZE, SIZE).build();
        InterpretableModel m = Models.builder(sd, "input", "logits").layers("relu1", "pool1", "relu2", "relu3")
                .inputSpec(spec).build();
        SyntheticShapes.Sample held = SyntheticShapes.builder().size(SIZE).seed(7).build().generate(300);
        INDArray predicted = Nd4j.argMax(m.logits(held.features()), 1);
        int correct = 0;
        for (int i = 0; i < held.classes().length; i++) {
            correct += predicted.getInt(i) == held.classes()[i] ? 1 : 0;
        }
        log.info("Held-out accuracy of the SameDiff graph: {}", String.format("%.3f", correct / 300.0));

        SyntheticShapes.Sample test = SyntheticShapes.builder().size(SIZE).seed(99).build().generate(6);
        INDArray x = test.features();
        HtmlReport.Builder report = HtmlReport.builder("Interpreting a SameDiff graph");
        for (Attribution a : List.<Attribution>of(Saliency.of(m), GradientXInput.of(m), IntegratedGradients.of(m),
                GuidedBackprop.of(m), GradCam.builder(m).layer("relu3").build(),
                Occlusion.builder(m).window(8).stride(4).build(),
                org.deeplearning4j.interpret.attribution.Lrp.builder(m)
                        .composite(org.deeplearning4j.interpret.gradient.LrpComposite.epsilonPlus()).build(),
                org.deeplearning4j.interpret.attribution.DeepLift.builder(m)
                        .rule(org.deeplearning4j.interpret.attribution.DeepLift.Rule.REVEAL_CANCEL).build())) {
            AttributionResult r = a.attribute(x, Targets.predicted());
            report.section(a.name(), r.target());
            for (int i = 0; i < x.size(0); i++) {
                BufferedImage input = Heatmaps.inputImage(x.slice(i), spec);
                report.image(Heatmaps.overlay(input, Heatmaps.heatmap(r.map(i), r.isSigned() ? Colormap.RDBU
                        : Colormap.INFERNO), Heatmaps.DEFAULT_ALPHA), SyntheticShapes.CLASS_NAMES[test.classes()[i]]);
            }
        }
        FeatureVisResult fv = FeatureVisualization.builder().steps(128).seed(1).build()
                .channels(m, "relu3", 0, 1, 2, 3, 4, 5, 6, 7);
        FeatureVisImages.addTo(report, "Feature visualization of relu3", fv, null);
        File html = new File(out, "report.html");
        report.build().write(html);
        log.info("Wrote {}", html.getAbsolutePath());
    }
}
