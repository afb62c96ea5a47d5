package org.deeplearning4j.interpret.onnx;

import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.interpret.attribution.Baselines;
import org.deeplearning4j.interpret.attribution.DeepLift;
import org.deeplearning4j.interpret.attribution.Lrp;
import org.deeplearning4j.interpret.gradient.LrpComposite;
import org.deeplearning4j.interpret.attribution.GradCam;
import org.deeplearning4j.interpret.attribution.GradientXInput;
import org.deeplearning4j.interpret.attribution.GuidedBackprop;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.Integration;
import org.deeplearning4j.interpret.attribution.Occlusion;
import org.deeplearning4j.interpret.attribution.Saliency;
import org.deeplearning4j.interpret.io.Npy;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.deeplearning4j.interpret.targets.Targets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.File;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.deeplearning4j.interpret.testing.References.close;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PyTorch 1.13 exports (tools/reference/export_onnx.py, committed) imported, repaired and verified against ONNX
 * Runtime; every gradient method, DeepLIFT and LRP on the imported graph match PyTorch on the same network within 1e-4
 * of the reference's largest magnitude (the graphs run in float32, the references in float64), with batch norm kept
 * (folded by the rules) and folded at export.
 */
class OnnxImportTest {
    private static final Target TARGETS = Targets.logits(new int[] {0, 1, 2});

    static File resource(String name) {
        return new File("src/test/resources/onnx/" + name);
    }

    static INDArray npy(String net, String name) throws IOException {
        return Npy.read(resource(net + "/" + name + ".npy")).castTo(DataType.DOUBLE);
    }


    @ParameterizedTest(name = "{0}")
    @CsvSource({"vgg.onnx, vgg, 12, /Relu_2_output_0, 2", "vgg_matmul.onnx, vgg, 12, /Relu_2_output_0, 3",
        "resnet_bn.onnx, resnet, 10, /net/Relu_2_output_0, 1",
        "resnet_folded.onnx, resnet, 10, /net/Relu_2_output_0, 2"})
    void anExportIsRepairedVerifiedAndGivesPyTorchsAttributions(String file, String net, int size, String camLayer,
            int repairs) throws IOException {
        ImportedGraph g = OnnxImport.builder(resource(file)).build().run();
        assertEquals(repairs, g.repairs().size(), g.toString());
        assertTrue(g.differenceFromOnnxRuntime() < 1e-5, g.toString());
        assertEquals("input", g.input());
        assertEquals("logits", g.output());
        InterpretableModel m = g.model(InputSpec.builder().shape(3, size, size).build());
        INDArray x = npy(net, "input").castTo(DataType.FLOAT);
        String at = file + ": ";
        close(npy(net, "logits"), m.logits(x), at + "logits");
        close(npy(net, "saliency"), Saliency.builder(m).signed(true).build().attribute(x, TARGETS).attributions(),
                at + "saliency");
        close(npy(net, "gradient_x_input"), GradientXInput.of(m).attribute(x, TARGETS).attributions(),
                at + "gradient x input");
        close(npy(net, "ig_zero"), IntegratedGradients.builder(m).steps(16).integration(Integration.GAUSS_LEGENDRE)
                .baselines(Baselines.zeros()).build().attribute(x, TARGETS).attributions(), at + "integrated gradients");
        close(npy(net, "guided_backprop"), GuidedBackprop.of(m).attribute(x, TARGETS).attributions(),
                at + "guided backprop");
        close(npy(net, "occlusion"), Occlusion.builder(m).window(4).stride(2).baselineValue(0).build()
                .attribute(x, TARGETS).map(), at + "occlusion");
        close(npy(net, "gradcam_post"), GradCam.builder(m).layer(camLayer).relu(false).build().layerResult(x, TARGETS)
                .map(), at + "Grad-CAM");
        INDArray x0 = npy(net, "rule_baseline").castTo(DataType.FLOAT);
        close(npy(net, "deeplift"), DeepLift.builder(m).baselines(Baselines.image(x0)).build().attribute(x, TARGETS)
                .attributions(), at + "DeepLIFT");
        Map<String, LrpComposite> composites = new LinkedHashMap<>();
        if ("vgg".equals(net)) {
            composites.put("lrp_montavon", LrpComposite.montavon(0, 1));
            composites.put("lrp_epsilon_alpha2beta1", LrpComposite.epsilonAlpha2Beta1());
        } else {
            close(npy(net, "deeplift_revealcancel"), DeepLift.builder(m).rule(DeepLift.Rule.REVEAL_CANCEL)
                    .baselines(Baselines.image(x0)).build().attribute(x, TARGETS).attributions(),
                    at + "DeepLIFT RevealCancel");
            composites.put("lrp_epsilon_plus", LrpComposite.epsilonPlus());
            composites.put("lrp_epsilon_gamma_box", LrpComposite.epsilonGammaBox(-0.3, 0.7));
        }
        composites.forEach((fixture, c) -> {
            try {
                close(npy(net, fixture), Lrp.builder(m).composite(c).build().attribute(x, TARGETS).attributions(),
                        at + "LRP " + c);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void theReadmeLinesLoadAVerifiedModelAndExplainIt() throws IOException {
        INDArray images = npy("resnet", "input").castTo(DataType.FLOAT).addi(0.3);
        // --- README (file and size adapted) ---
        InterpretableModel model = OnnxImport.load(resource("resnet_folded.onnx"),
                InputSpec.builder().shape(3, 10, 10).pixelRange(0, 1).build());
        org.deeplearning4j.interpret.attribution.AttributionResult r = IntegratedGradients.of(model)
                .attribute(images, Targets.predicted());
        // --- end ---
        assertEquals(3, r.attributions().size(0));
        assertTrue(r.attributions().amaxNumber().doubleValue() > 0);
    }

    @Test
    void anImportThatDisagreesWithOnnxRuntimeIsRefusedWithTheDifference() {
        InterpretException e = assertThrows(InterpretException.class, () -> OnnxImport.builder(resource("vgg.onnx"))
                .tolerance(1e-15).build().run());
        assertTrue(e.getMessage().contains("disagrees with ONNX Runtime") && e.getMessage().contains("differs by"),
                e.getMessage());
    }

    @Test
    void badFilesAndNamesGetClearErrorsBeforeImport() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> OnnxImport.builder(new File("no-such.onnx")).build());
        assertTrue(missing.getMessage().contains("no-such.onnx"), missing.getMessage());
        IllegalArgumentException output = assertThrows(IllegalArgumentException.class,
                () -> OnnxImport.builder(resource("vgg.onnx")).output("probabilities").build().run());
        assertTrue(output.getMessage().contains("logits"), output.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OnnxImport.builder(resource("vgg.onnx")).tolerance(0));
    }
}
