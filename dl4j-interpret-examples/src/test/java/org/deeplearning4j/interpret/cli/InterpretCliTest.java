package org.deeplearning4j.interpret.cli;

import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.zoo.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line end to end on small saved models and images in a temporary folder, and its error paths. */
class InterpretCliTest {
    @TempDir
    static Path dir;
    static File graphZip;
    static File mlnZip;
    static File image;
    static File images;

    @BeforeAll
    static void savedModelsAndImages() throws IOException {
        graphZip = dir.resolve("small-resnet.zip").toFile();
        Zoo.smallResNet().randomInit(5).save(graphZip);
        mlnZip = dir.resolve("shapes.zip").toFile();
        ShapesCnn.build(32, 3).save(mlnZip);
        images = dir.resolve("images").toFile();
        assertTrue(images.mkdirs());
        for (int k = 0; k < 2; k++) {
            BufferedImage img = new BufferedImage(60 + 20 * k, 40, BufferedImage.TYPE_INT_RGB);
            for (int y = 10; y < 30; y++) {
                for (int x = 20; x < 40; x++) {
                    img.setRGB(x, y, k == 0 ? 0xffffff : 0xff8800);
                }
            }
            ImageIO.write(img, "png", new File(images, "img" + k + ".png"));
        }
        image = new File(images, "img0.png");
    }

    /** Output, error output and exit code of one run. */
    private static final class Run {
        final int code;
        final String out;
        final String err;

        Run(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = InterpretCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void gradCamOnASavedGraphWritesOverlaysArraysAndAReport() {
        File out = dir.resolve("out-gradcam").toFile();
        Run r = run("attribute", "gradcam", "--model", graphZip.getPath(), "--shape", "1,28,28", "--layer", "res3b", "--image",
                images.getPath(), "--top", "2", "--out", out.getPath());
        assertEquals(0, r.code, r.err);
        assertTrue(new File(out, "report.html").length() > 1000, r.out);
        String[] pngs = out.list((d, n) -> n.endsWith(".png"));
        String[] npys = out.list((d, n) -> n.endsWith(".npy"));
        assertEquals(4, pngs.length, "2 images x top 2 classes: " + String.join(",", pngs));
        assertEquals(4, npys.length);
        assertTrue(r.out.contains("img1.png"), r.out);
    }

    @Test
    void everyMethodAndOcclusionRunOnAMultiLayerNetworkFileWithItsShape() {
        for (String method : new String[] {"saliency", "gradient-x-input", "integrated-gradients", "smoothgrad",
                "guided-backprop", "deconvnet", "gradcam", "gradcam++", "guided-gradcam", "scorecam"}) {
            File out = dir.resolve("out-" + method).toFile();
            Run r = run("attribute", method, "-m", mlnZip.getPath(), "--shape", "3,32,32", "-i", image.getPath(),
                    "-t", "2", "-o", out.getPath());
            assertEquals(0, r.code, method + ": " + r.err);
            assertTrue(new File(out, "report.html").isFile(), method);
            assertEquals(1, out.list((d, n) -> n.endsWith("-class2.png")).length, method + " " + r.out);
        }
        Run occ = run("occlusion", "-m", mlnZip.getPath(), "--shape", "3,32,32", "-i", image.getPath(), "--window",
                "8", "--stride", "4", "-o", dir.resolve("out-occ").toFile().getPath());
        assertEquals(0, occ.code, occ.err);
    }

    @Test
    void visualizeAndSearchAndModelsRun() {
        File vis = dir.resolve("out-vis").toFile();
        Run v = run("visualize", "-m", graphZip.getPath(), "--shape", "1,28,28", "--layer", "res2b", "--channels", "0,3", "--steps", "3",
                "-o", vis.getPath());
        assertEquals(0, v.code, v.err);
        assertTrue(new File(vis, "res2b-grid.png").isFile() && new File(vis, "res2b.npy").isFile());
        Run c = run("visualize", "-m", graphZip.getPath(), "--shape", "1,28,28", "-t", "4", "--steps", "2", "-o", vis.getPath());
        assertEquals(0, c.code, c.err);
        File search = dir.resolve("out-search").toFile();
        Run s = run("search", "-m", graphZip.getPath(), "--shape", "1,28,28", "-i", images.getPath(), "--layer", "res3b", "--k", "2",
                "-o", search.getPath());
        assertEquals(0, s.code, s.err);
        assertTrue(new File(search, "res3b-search.bin").isFile());
        File blocks = dir.resolve("out-blocks").toFile();
        Run b = run("blocks", "-m", graphZip.getPath(), "--shape", "1,28,28", "-i", image.getPath(), "--layer", "res3b",
                "--groups", "2", "--steps", "2", "-o", blocks.getPath());
        assertEquals(0, b.code, b.err);
        assertTrue(new File(blocks, "img0-blocks.html").length() > 1000);
        Run m = run("models");
        assertEquals(0, m.code);
        assertTrue(m.out.contains("vgg16") && m.out.contains("block5_conv3") && m.out.contains("res5c"), m.out);
    }

    /** An image already at the model's input size is explained as it is: the CLI's map equals the API's. */
    @Test
    void anImageAtTheInputSizeIsExplainedAsItIsWithoutResizingOrCropping() throws Exception {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(4);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                img.setRGB(x, y, r.nextInt(0xffffff));
            }
        }
        File png = dir.resolve("exact-32.png").toFile();
        ImageIO.write(img, "png", png);
        File out = dir.resolve("out-exact").toFile();
        Run run = run("attribute", "saliency", "-m", mlnZip.getPath(), "--shape", "3,32,32", "-i", png.getPath(),
                "-t", "2", "-o", out.getPath());
        assertEquals(0, run.code, run.err);
        org.nd4j.linalg.api.ndarray.INDArray cli = org.deeplearning4j.interpret.io.Npy.read(new File(out,
                "exact-32-saliency-class2.npy"));
        org.deeplearning4j.interpret.model.InterpretableModel m = org.deeplearning4j.interpret.model.Models
                .builder(org.deeplearning4j.interpret.model.Models.load(mlnZip))
                .inputSpec(org.deeplearning4j.interpret.model.InputSpec.builder().shape(3, 32, 32).pixelRange(0, 1)
                        .build()).build();
        org.nd4j.linalg.api.ndarray.INDArray api = org.deeplearning4j.interpret.attribution.Saliency.of(m)
                .attribute(org.deeplearning4j.interpret.io.ImageLoader.pixels(ImageIO.read(png), 3),
                        org.deeplearning4j.interpret.targets.Targets.logit(2)).map(0);
        assertTrue(cli.reshape(api.shape()).castTo(api.dataType()).equalsWithEps(api, 1e-6),
                "the CLI explained a different image than the one given");
        Run crop = run("attribute", "saliency", "-m", mlnZip.getPath(), "--shape", "3,32,32", "-i", image.getPath(),
                "-t", "2", "--crop-fraction", "1", "-o", dir.resolve("out-crop1").toFile().getPath());
        assertEquals(0, crop.code, crop.err);
    }

    @Test
    void checkComparesTheGradientWithFiniteDifferencesAndWritesAReport() {
        File out = dir.resolve("out-check").toFile();
        Run r = run("check", "-m", mlnZip.getPath(), "--shape", "3,32,32", "-i", image.getPath(), "--points", "8",
                "-o", out.getPath());
        assertEquals(0, r.code, r.err + r.out);
        assertTrue(r.out.contains("Gradient check PASSED: 8 input values"), r.out);
        assertTrue(new File(out, "check.html").length() > 200);
    }

    @Test
    void evaluateScoresMethodsAndWritesAScorecard() throws IOException {
        File out = dir.resolve("out-evaluate").toFile();
        Run r = run("evaluate", "-m", mlnZip.getPath(), "--shape", "3,32,32", "-i", images.getPath(), "--methods",
                "saliency,occlusion", "--metrics", "deletion,insertion,road,randomization,infidelity", "--curve-steps", "4",
                "-o", out.getPath());
        assertEquals(0, r.code, r.err + r.out);
        assertTrue(r.out.contains("saliency:") && r.out.contains("occlusion:") && r.out.contains("sanity="), r.out);
        String csv = Files.readString(new File(out, "scorecard.csv").toPath());
        assertTrue(csv.contains("\"occlusion\",\"ROAD deletion AUC\"") && csv.contains("infidelity"), csv);
        assertTrue(Files.readString(new File(out, "scorecard.html").toPath()).contains("<svg"));
        Run badMetric = run("evaluate", "-m", mlnZip.getPath(), "--shape", "3,32,32", "-i", images.getPath(),
                "--metrics", "accuracy");
        assertEquals(2, badMetric.code);
        assertTrue(badMetric.err.contains("Unknown metric 'accuracy'") && badMetric.err.contains("road"),
                badMetric.err);
        Run badMethod = run("evaluate", "-m", mlnZip.getPath(), "--shape", "3,32,32", "-i", images.getPath(),
                "--methods", "xrai");
        assertTrue(badMethod.err.contains("Unknown method 'xrai'"), badMethod.err);
    }

    @Test
    void exitCodesFollowTheReadmeAndMessagesNameWhatIsWrong() throws IOException {
        Run unknownMethod = run("attribute", "xrai", "-m", mlnZip.getPath(), "--shape", "3,32,32", "-i",
                image.getPath());
        assertEquals(2, unknownMethod.code, "an unknown method is bad usage");
        assertTrue(unknownMethod.err.contains("Unknown method 'xrai'"), unknownMethod.err);
        Run pixelMax = run("attribute", "saliency", "-m", mlnZip.getPath(), "--shape", "3,32,32", "--pixel-max", "7",
                "-i", image.getPath());
        assertEquals(2, pixelMax.code);
        assertTrue(pixelMax.err.contains("--pixel-max must be 1") , pixelMax.err);
        Run wrongShape = run("attribute", "saliency", "-m", mlnZip.getPath(), "--shape", "1,32,32", "-i",
                image.getPath());
        assertEquals(3, wrongShape.code, "a shape the network cannot take is bad input");
        assertTrue(wrongShape.err.contains("input channels"), wrongShape.err);
        Run top = run("attribute", "saliency", "-m", mlnZip.getPath(), "--shape", "3,32,32", "--top", "11", "-i",
                image.getPath(), "-o", dir.resolve("out-top").toString());
        assertEquals(3, top.code);
        assertTrue(top.err.contains("--top 11 exceeds the model's 4 classes"), top.err);
        File labels = dir.resolve("labels.txt").toFile();
        Files.writeString(labels.toPath(), "square\ndisk\n");
        Run shortLabels = run("attribute", "saliency", "-m", mlnZip.getPath(), "--shape", "3,32,32", "--labels",
                labels.getPath(), "-i", image.getPath());
        assertEquals(3, shortLabels.code);
        assertTrue(shortLabels.err.contains("labels.txt has 2 names") && shortLabels.err.contains("4 classes"),
                shortLabels.err);
        Run missingModel = run("attribute", "saliency", "-m", "models/nothing.zip", "-i", image.getPath());
        assertEquals(3, missingModel.code);
        assertTrue(missingModel.err.contains("Model file not found"), missingModel.err);
        File corrupted = dir.resolve("corrupted.zip").toFile();
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(mlnZip);
                java.util.zip.ZipOutputStream zo = new java.util.zip.ZipOutputStream(
                        new java.io.FileOutputStream(corrupted))) {
            for (java.util.zip.ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] b = in.getInputStream(e).readAllBytes();
                zo.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                zo.write(b, 0, e.getName().equals("coefficients.bin") ? b.length / 2 : b.length);
                zo.closeEntry();
            }
        }
        Run broken = run("attribute", "saliency", "-m", corrupted.getPath(), "--shape", "3,32,32", "-i",
                image.getPath());
        assertEquals(3, broken.code, "corrupted weights are bad input");
        assertTrue(broken.err.contains("corrupted.zip") && broken.err.contains("coefficients.bin"), broken.err);
        Run badBaseline = run("attribute", "integrated-gradients", "-m", mlnZip.getPath(), "--shape", "3,32,32",
                "--baseline", "purple", "-i", image.getPath());
        assertEquals(2, badBaseline.code);
        assertTrue(badBaseline.err.contains("zeros, neutral, blurred"), badBaseline.err);
    }

    /** A folder of {@code n} 32x32 PNGs with a rectangle of a random colour at a random place. */
    private static File pngFolder(String name, int n, long seed) throws IOException {
        File f = dir.resolve(name).toFile();
        assertTrue(f.mkdirs());
        java.util.Random rnd = new java.util.Random(seed);
        for (int k = 0; k < n; k++) {
            BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
            int x0 = rnd.nextInt(16);
            int y0 = rnd.nextInt(16);
            int rgb = rnd.nextInt(0xffffff);
            for (int y = y0; y < y0 + 12; y++) {
                for (int x = x0; x < x0 + 12; x++) {
                    img.setRGB(x, y, rgb);
                }
            }
            ImageIO.write(img, "png", new File(f, "p" + k + ".png"));
        }
        return f;
    }

    @Test
    void tcavTestsConceptsGivenAsFoldersAndWritesItsPage() throws IOException {
        File concept = pngFolder("tcav-concept", 4, 1);
        File r1 = pngFolder("tcav-random1", 4, 2);
        File r2 = pngFolder("tcav-random2", 4, 3);
        File r3 = pngFolder("tcav-random3", 4, 4);
        File out = dir.resolve("out-tcav").toFile();
        Run r = run("tcav", "-m", mlnZip.getPath(), "--shape", "3,32,32", "--layer", "relu2", "-t", "1", "-i",
                images.getPath(), "--concept", "squares=" + concept.getPath(), "--random", r1.getPath(), "--random",
                r2.getPath(), "--random", r3.getPath(), "-o", out.getPath());
        assertEquals(0, r.code, r.err + r.out);
        assertTrue(r.out.contains("squares: TCAV"), r.out);
        assertTrue(Files.readString(new File(out, "tcav.html").toPath()).contains("<svg"));
        assertTrue(Files.readString(new File(out, "tcav.csv").toPath()).contains("\"squares\""));
        Run twoRandom = run("tcav", "-m", mlnZip.getPath(), "--shape", "3,32,32", "--layer", "relu2", "-t", "1", "-i",
                images.getPath(), "--concept", "squares=" + concept.getPath(), "--random", r1.getPath(), "--random",
                r2.getPath());
        assertEquals(2, twoRandom.code, twoRandom.err);
        assertTrue(twoRandom.err.contains("at least 3 times"), twoRandom.err);
        Run badLayer = run("tcav", "-m", mlnZip.getPath(), "--shape", "3,32,32", "--layer", "relu9", "-t", "1", "-i",
                images.getPath(), "--concept", "squares=" + concept.getPath(), "--random", r1.getPath(), "--random",
                r2.getPath(), "--random", r3.getPath());
        assertEquals(3, badLayer.code, badLayer.err);
    }

    @Test
    void theShapleyLimeAblationDeepLiftAndLrpMethodsRunWithTheirOptions() {
        String[][] runs = {{"lime", "--segments", "8", "--perturbations", "24"},
            {"kernel-shap", "--segments", "6", "--perturbations", "20"},
            {"shapley-sampling", "--segments", "6", "--perturbations", "2"},
            {"feature-ablation", "--segments", "8"}, {"gradient-shap", "--samples", "3"},
            {"deeplift", "--baseline", "neutral"}, {"lrp", "--composite", "montavon"},
            {"deeplift-shap", "--background", image.getPath()}, {"deeplift", "--deeplift-rule", "reveal-cancel"},
            {"lrp", "--composite", "epsilon-alpha2beta1"}};
        for (String[] m : runs) {
            File out = dir.resolve("out-" + m[0]).toFile();
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("attribute", m[0], "-m",
                    mlnZip.getPath(), "--shape", "3,32,32", "-i", image.getPath(), "-t", "1", "-o", out.getPath()));
            args.addAll(java.util.Arrays.asList(m).subList(1, m.length));
            Run r = run(args.toArray(new String[0]));
            assertEquals(0, r.code, m[0] + ": " + r.err);
            assertTrue(new File(out, "img0-" + m[0] + "-class1.png").isFile(), m[0] + " " + r.out);
        }
        assertEquals(2, run("attribute", "lime", "-m", mlnZip.getPath(), "--shape", "3,32,32", "-i", image.getPath(),
                "--segments", "1").code, "one segment is bad usage");
        assertEquals(2, run("attribute", "lime", "-m", mlnZip.getPath(), "--shape", "3,32,32", "-i", image.getPath(),
                "--perturbations", "1").code);
        Run noBackground = run("attribute", "deeplift-shap", "-m", mlnZip.getPath(), "--shape", "3,32,32", "-i",
                image.getPath());
        assertEquals(2, noBackground.code, noBackground.err);
        assertTrue(noBackground.err.contains("--background"), noBackground.err);
        Run badComposite = run("attribute", "lrp", "-m", mlnZip.getPath(), "--shape", "3,32,32", "-i",
                image.getPath(), "--composite", "zennit");
        assertEquals(2, badComposite.code, badComposite.err);
        assertTrue(badComposite.err.contains("epsilon-gamma-box"), badComposite.err);
    }

    @Test
    void methodOptionsReachTheMethodsAndFilesAreNamedAfterThem() throws IOException {
        File out = dir.resolve("out-options").toFile();
        Run r = run("attribute", "integrated-gradients", "-m", mlnZip.getPath(), "--shape", "3,32,32", "--neutral",
                "0", "--steps", "7", "--baseline", "neutral", "-i", image.getPath(), "-o", out.getPath());
        assertEquals(0, r.code, r.err);
        assertTrue(new File(out, "img0-integrated-gradients-class" + r.out.split("\t")[1] + ".png").isFile(),
                r.out + java.util.Arrays.toString(out.list()));
        Run s = run("attribute", "smoothgrad", "-m", mlnZip.getPath(), "--shape", "3,32,32", "--samples", "2",
                "--noise", "0.1", "-i", image.getPath(), "-o", out.getPath());
        assertEquals(0, s.code, s.err);
    }

    @Test
    void randomWeightsAreSaidOnEveryPage() throws IOException {
        File out = dir.resolve("out-random").toFile();
        Run r = run("attribute", "saliency", "-m", "small-vgg", "-w", "random", "-i", image.getPath(), "-o",
                out.getPath());
        assertEquals(0, r.code, r.err);
        String page = Files.readString(new File(out, "report.html").toPath());
        assertTrue(page.contains("RANDOM WEIGHTS"), "the report must say the weights are random");
        assertTrue(page.split("RANDOM WEIGHTS", -1).length - 1 >= 2, "title and every caption");
    }

    @Test
    void helpReadsWellAndBadUsageExitsWithTwo() {
        Run h = run("--help");
        assertEquals(0, h.code);
        assertTrue(h.out.contains("attribute") && h.out.contains("Exit codes"), h.out);
        Run sub = run("attribute", "--help");
        assertTrue(sub.out.contains("gradcam") && sub.out.contains("--target"), sub.out);
        assertEquals(2, run("attribute", "gradcam").code, "missing --model and --image");
        assertEquals(2, run("attribute", "gradcam", "-m", "vgg16", "-i", "x.png", "--frobnicate").code);
        assertEquals(2, run().code);
    }

    @Test
    void inputErrorsExitWithThreeAndSayWhatToDo() throws IOException {
        Run noImage = run("attribute", "saliency", "-m", graphZip.getPath(), "--shape", "1,28,28", "-i", "missing.png");
        assertEquals(3, noImage.code);
        assertTrue(noImage.err.contains("missing.png"), noImage.err);
        Run badClass = run("attribute", "saliency", "-m", "vgg16", "-w", "random", "-i", image.getPath(), "-t",
                "unicorn", "-o", dir.resolve("x").toString());
        assertEquals(3, badClass.code);
        assertTrue(badClass.err.contains("Unknown class 'unicorn'"), badClass.err);
        Run noWeights = run("attribute", "gradcam", "-m", "vgg16", "-w", dir.resolve("nothing").toString(), "-i",
                image.getPath());
        assertEquals(3, noWeights.code);
        assertTrue(noWeights.err.contains("Weights file not found") && noWeights.err.contains("nothing"),
                noWeights.err);
        Run unknownModel = run("attribute", "saliency", "-m", "alexnet", "-i", image.getPath());
        assertEquals(3, unknownModel.code);
        assertTrue(unknownModel.err.contains("Available: vgg16"), unknownModel.err);
        Run noShape = run("attribute", "saliency", "-m", mlnZip.getPath(), "-i", image.getPath());
        assertEquals(3, noShape.code);
        assertTrue(noShape.err.contains("--shape"), noShape.err);
        File notImage = dir.resolve("notes.png").toFile();
        Files.writeString(notImage.toPath(), "text");
        Run unreadable = run("attribute", "saliency", "-m", graphZip.getPath(), "--shape", "1,28,28", "-i", notImage.getPath());
        assertEquals(3, unreadable.code);
        assertTrue(unreadable.err.contains("Not a readable image"), unreadable.err);
        Run badLayer = run("attribute", "gradcam", "-m", graphZip.getPath(), "--shape", "1,28,28", "--layer", "conv9", "-i",
                image.getPath());
        assertEquals(3, badLayer.code);
        assertTrue(badLayer.err.contains("conv9") && badLayer.err.contains("res3b"), badLayer.err);
    }
}
