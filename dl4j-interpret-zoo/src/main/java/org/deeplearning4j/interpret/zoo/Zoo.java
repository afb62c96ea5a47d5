package org.deeplearning4j.interpret.zoo;

import org.deeplearning4j.interpret.model.ClassNames;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.zoo.model.ResNet50;
import org.deeplearning4j.zoo.model.VGG16;
import org.deeplearning4j.zoo.model.VGG19;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The zoo: VGG16, VGG19 and ResNet50 (ImageNet, 224x224, Keras "caffe" preprocessing: BGR, 0..255 minus the ImageNet
 * means), and small VGG- and ResNet-style networks for 28-64 pixel data. SqueezeNet and Darknet19 are not included:
 * their pretrained preprocessing could not be confirmed offline, and a wrong one silently ruins every explanation.
 *
 * <pre>{@code
 * ZooEntry vgg = Zoo.get("vgg16");
 * InterpretableModel m = vgg.interpretable(vgg.load(new File("vgg16_dl4j_inference.zip")));
 * GradCam.builder(m).layer(vgg.vertex(vgg.gradCamLayer())).build().attribute(image, Targets.predicted());
 * }</pre>
 */
public final class Zoo {
    /** ImageNet mean pixel in BGR order, as subtracted by DL4J's {@code VGG16ImagePreProcessor}. */
    public static final double[] IMAGENET_BGR_MEANS = {103.939, 116.779, 123.68};
    /**
     * Input spec of the zoo's ImageNet models: 3x224x224, BGR, 0..255 minus the ImageNet means (Keras "caffe"
     * preprocessing, DL4J's {@code VGG16ImagePreProcessor}), so occlusion baselines and rendered inputs are right.
     */
    public static final InputSpec IMAGENET_SPEC = InputSpec.builder().shape(3, 224, 224).pixelRange(0, 255)
            .channelMeans(IMAGENET_BGR_MEANS).channelOrder(InputSpec.ChannelOrder.BGR).build();
    /** ImageNet classes. */
    public static final int IMAGENET_CLASSES = 1000;
    /** Chunk size of the 224x224 models' adapters: bounds the activation memory of one pass. */
    public static final int IMAGENET_MAX_BATCH_SIZE = 8;
    /** Classes of the small networks unless given. */
    public static final int SMALL_DEFAULT_CLASSES = 10;
    /** Input side of the small networks in the registry (Fashion-MNIST). */
    public static final int SMALL_DEFAULT_SIZE = 28;
    private static final String IMAGENET_RESOURCE = "imagenet-classes.txt";
    private static volatile ClassNames imagenet;

    private Zoo() {
    }

    /** @return the 1000 ImageNet class names shipped with this module (no download) */
    public static ClassNames imagenetClasses() {
        if (imagenet == null) {
            synchronized (Zoo.class) {
                if (imagenet == null) {
                    try (InputStream in = Zoo.class.getResourceAsStream(IMAGENET_RESOURCE)) {
                        if (in == null) {
                            throw new IllegalStateException("Missing resource " + IMAGENET_RESOURCE);
                        }
                        imagenet = ClassNames.read(in);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        return imagenet;
    }

    /** Entry factories by name: {@link #get(String)} builds only the entry asked for. */
    private static final Map<String, java.util.function.Supplier<ZooEntry>> ENTRIES = entries();

    private static Map<String, java.util.function.Supplier<ZooEntry>> entries() {
        Map<String, java.util.function.Supplier<ZooEntry>> m = new LinkedHashMap<>();
        m.put("vgg16", Zoo::vgg16);
        m.put("vgg19", Zoo::vgg19);
        m.put("resnet50", Zoo::resnet50);
        m.put("small-vgg", Zoo::smallVgg);
        m.put("small-resnet", Zoo::smallResNet);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** @return every entry */
    public static List<ZooEntry> all() {
        return ENTRIES.values().stream().map(java.util.function.Supplier::get).collect(Collectors.toList());
    }

    /**
     * @param name {@code vgg16}, {@code vgg19}, {@code resnet50}, {@code small-vgg} or {@code small-resnet}
     * @return the entry
     * @throws IllegalArgumentException listing the valid names
     */
    public static ZooEntry get(String name) {
        java.util.function.Supplier<ZooEntry> e = name == null ? null
                : ENTRIES.get(name.toLowerCase(java.util.Locale.ROOT));
        if (e == null) {
            throw new IllegalArgumentException("Unknown zoo model '" + name + "'. Available: "
                    + String.join(", ", ENTRIES.keySet()));
        }
        return e.get();
    }

    /** @return VGG16 */
    public static ZooEntry vgg16() {
        return new ZooEntry("vgg16", "VGG16, ImageNet, 224x224, 138M parameters", IMAGENET_SPEC,
                vggNames(VGG16.builder().build().conf()), "block5_conv3",
                List.of("block3_conv3", "block4_conv3", "block5_conv3"), Zoo::imagenetClasses, ImageNetInit::vgg16,
                () -> VGG16.builder().build(), "vgg16_dl4j_inference.zip", IMAGENET_MAX_BATCH_SIZE);
    }

    /** @return VGG19 */
    public static ZooEntry vgg19() {
        return new ZooEntry("vgg19", "VGG19, ImageNet, 224x224, 144M parameters", IMAGENET_SPEC,
                vggNames(VGG19.builder().build().conf()), "block5_conv4",
                List.of("block3_conv4", "block4_conv4", "block5_conv4"), Zoo::imagenetClasses, ImageNetInit::vgg19,
                () -> VGG19.builder().build(), "vgg19_dl4j_inference.zip", IMAGENET_MAX_BATCH_SIZE);
    }

    /** @return ResNet50 */
    public static ZooEntry resnet50() {
        return new ZooEntry("resnet50", "ResNet50, ImageNet, 224x224, 25.6M parameters", IMAGENET_SPEC,
                resnetNames(ResNet50.builder().build().graphBuilder().build()), "res5c",
                List.of("res3d", "res4f", "res5c"), Zoo::imagenetClasses, ImageNetInit::resnet50,
                () -> ResNet50.builder().build(), "resnet50_dl4j_inference.v3.zip", IMAGENET_MAX_BATCH_SIZE);
    }

    /** @return the small VGG-style network for 28x28 one-channel data, 10 classes (Fashion-MNIST) */
    public static ZooEntry smallVgg() {
        return small("small-vgg", SmallNets.vggConfiguration(1, SMALL_DEFAULT_SIZE, SMALL_DEFAULT_CLASSES, 0),
                "block3_conv2", List.of("block2_conv2", "block3_conv2"),
                seed -> SmallNets.vgg(1, SMALL_DEFAULT_SIZE, SMALL_DEFAULT_CLASSES, seed),
                "VGG-style, 6 convolutions, 28x28x1");
    }

    /** @return the small ResNet-style network for 28x28 one-channel data, 10 classes */
    public static ZooEntry smallResNet() {
        return small("small-resnet", SmallNets.resnetConfiguration(1, SMALL_DEFAULT_SIZE, SMALL_DEFAULT_CLASSES, 0),
                "res3b", List.of("res2b", "res3b"),
                seed -> SmallNets.resnet(1, SMALL_DEFAULT_SIZE, SMALL_DEFAULT_CLASSES, seed),
                "ResNet-style, 6 basic blocks, 28x28x1");
    }

    private static ZooEntry small(String name, ComputationGraphConfiguration conf, String gradCam,
            List<String> vis, java.util.function.LongFunction<org.deeplearning4j.nn.graph.ComputationGraph> random,
            String description) {
        Map<String, String> names = new LinkedHashMap<>();
        for (String v : conf.getVertices().keySet()) { // insertion order: the builders add layers in order
            if (!conf.getNetworkInputs().contains(v)) {
                names.put(v, v);
            }
        }
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < SMALL_DEFAULT_CLASSES; i++) {
            classes.add("class " + i);
        }
        return new ZooEntry(name, description, InputSpec.builder().shape(1, SMALL_DEFAULT_SIZE, SMALL_DEFAULT_SIZE)
                .neutralValues(0).build(), names, gradCam, vis, () -> ClassNames.of(classes), random, null, null,
                org.deeplearning4j.interpret.model.Models.DEFAULT_MAX_BATCH_SIZE);
    }

    /** Keras names from the layer sequence: blockB_convK, blockB_pool, fc1, fc2, predictions. */
    static Map<String, String> vggNames(ComputationGraphConfiguration conf) {
        List<String> order = new ArrayList<>(conf.getVertices().keySet());
        order.removeIf(v -> !(conf.getVertices().get(v) instanceof LayerVertex));
        order.sort((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
        Map<String, String> out = new LinkedHashMap<>();
        int block = 1;
        int conv = 1;
        int fc = 1;
        for (String v : order) {
            Layer l = ((LayerVertex) conf.getVertices().get(v)).getLayerConf().getLayer();
            if (l instanceof ConvolutionLayer) {
                out.put("block" + block + "_conv" + conv++, v);
            } else if (l instanceof SubsamplingLayer) {
                out.put("block" + block++ + "_pool", v);
                conv = 1;
            } else if (l instanceof OutputLayer) {
                out.put("predictions", v);
            } else if (l instanceof DenseLayer) {
                out.put("fc" + fc++, v);
            }
        }
        return out;
    }

    /** Keras names for the zoo's ResNet50: conv1, pool1, each block's output res2a..res5c, avg_pool, predictions. */
    static Map<String, String> resnetNames(ComputationGraphConfiguration conf) {
        Map<String, String> out = new LinkedHashMap<>();
        Pattern block = Pattern.compile("res(\\d[a-z])_branch");
        for (String v : conf.getVertices().keySet()) {
            Matcher m = block.matcher(v);
            if (v.equals("stem-cnn1")) {
                out.put("conv1", v);
            } else if (v.equals("stem-act1")) {
                out.put("conv1_relu", v);
            } else if (v.equals("stem-maxpool1")) {
                out.put("pool1", v);
            } else if (m.matches()) {
                out.put("res" + m.group(1), v);
            } else if (v.equals("avgpool")) {
                out.put("avg_pool", v);
            } else if (conf.getNetworkOutputs().contains(v)) {
                out.put("predictions", v);
            }
        }
        return out;
    }
}
