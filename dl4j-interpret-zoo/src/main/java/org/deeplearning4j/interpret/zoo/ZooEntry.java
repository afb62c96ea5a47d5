package org.deeplearning4j.interpret.zoo;

import org.deeplearning4j.interpret.model.ClassNames;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.model.ReceptiveField;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.ZooModel;

import java.io.File;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * One model of the zoo with what interpretation needs to know about it: its input size and preprocessing, class
 * names, human-readable layer names mapped to DL4J's vertex names (VGG16's {@code "16"} is {@code block5_conv3}), the
 * default Grad-CAM layer, the layers worth visualising, and how to get weights: random (tests, benchmarks), DL4J's
 * pretrained download (checksum verified, cached), or a local file or directory. Immutable; obtain from {@link Zoo}.
 */
public final class ZooEntry {
    private final String name;
    private final String description;
    private final InputSpec spec;
    private final Map<String, String> layerNames;
    private final String gradCamLayer;
    private final List<String> visualizationLayers;
    private final Supplier<ClassNames> classNames;
    private final LongFunction<ComputationGraph> random;
    private final Supplier<ZooModel> zooModel;
    private final String weightsFile;
    private final int maxBatch;

    ZooEntry(String name, String description, InputSpec spec, Map<String, String> layerNames, String gradCamLayer,
            List<String> visualizationLayers, Supplier<ClassNames> classNames, LongFunction<ComputationGraph> random,
            Supplier<ZooModel> zooModel, String weightsFile, int maxBatch) {
        this.name = name;
        this.description = description;
        this.spec = spec;
        this.layerNames = Collections.unmodifiableMap(new LinkedHashMap<>(layerNames));
        this.gradCamLayer = gradCamLayer;
        this.visualizationLayers = List.copyOf(visualizationLayers);
        this.classNames = classNames;
        this.random = random;
        this.zooModel = zooModel;
        this.weightsFile = weightsFile;
        this.maxBatch = maxBatch;
        if (!layerNames.containsKey(gradCamLayer) || !layerNames.keySet().containsAll(visualizationLayers)) {
            throw new IllegalStateException("Zoo entry " + name + " names layers missing from its map");
        }
    }

    /** @return the zoo name, e.g. {@code vgg16} */
    public String name() {
        return name;
    }

    /** @return one line about the model */
    public String description() {
        return description;
    }

    /** @return input size and the exact preprocessing the pretrained weights expect */
    public InputSpec inputSpec() {
        return spec;
    }

    /** @return human-readable layer names (Keras conventions) to DL4J vertex names, in network order */
    public Map<String, String> layerNames() {
        return layerNames;
    }

    /**
     * @param layer a human-readable name ({@code block5_conv3}) or a DL4J vertex name ({@code "16"})
     * @return the vertex name
     * @throws IllegalArgumentException listing the human-readable names when neither matches
     */
    public String vertex(String layer) {
        if (layerNames.containsKey(layer)) {
            return layerNames.get(layer);
        }
        if (layerNames.containsValue(layer)) {
            return layer;
        }
        throw new IllegalArgumentException("Unknown layer '" + layer + "' for " + name + ". Layers: "
                + String.join(", ", layerNames.keySet()));
    }

    /**
     * @param vertex a DL4J vertex name
     * @return its human-readable name (the vertex name if it has none)
     */
    public String humanName(String vertex) {
        for (Map.Entry<String, String> e : layerNames.entrySet()) {
            if (e.getValue().equals(vertex)) {
                return e.getKey();
            }
        }
        return vertex;
    }

    /** @return the human-readable name of the default Grad-CAM layer (the last spatial block) */
    public String gradCamLayer() {
        return gradCamLayer;
    }

    /** @return human-readable names of the layers worth visualising (early, middle and late features) */
    public List<String> visualizationLayers() {
        return visualizationLayers;
    }

    /** @return class names by output index */
    public ClassNames classNames() {
        return classNames.get();
    }

    /**
     * @param seed weight seed
     * @return the architecture with random weights initialised so that activations stay finite (tests, benchmarks)
     */
    public ComputationGraph randomInit(long seed) {
        return random.apply(seed);
    }

    /** @return true when DL4J publishes pretrained weights for this entry */
    public boolean hasPretrainedWeights() {
        return zooModel != null;
    }

    /** @return the weights file DL4J publishes (for messages and offline use), or null */
    public String weightsFileName() {
        return weightsFile;
    }

    /** @return where DL4J's zoo caches the weights file (under {@code ~/.deeplearning4j/models} by default) */
    public File cacheLocation() {
        return new File(org.deeplearning4j.common.resources.DL4JResources.getDirectory(
                org.deeplearning4j.common.resources.ResourceType.ZOO_MODEL, name), String.valueOf(weightsFile));
    }

    /**
     * Downloads (once, checksum verified by DL4J, cached in {@link #cacheLocation()}) and loads the pretrained
     * ImageNet weights.
     *
     * @return the pretrained graph
     * @throws IOException when there is no network and no cached copy; the message says where to put the file
     */
    public ComputationGraph pretrained() throws IOException {
        if (zooModel == null) {
            throw new IOException(name + " has no published pretrained weights: train it and load the saved model with "
                    + "load(file) or --weights");
        }
        ZooModel z = zooModel.get();
        try {
            return (ComputationGraph) z.initPretrained(PretrainedType.IMAGENET);
        } catch (IOException | RuntimeException e) {
            throw new IOException("Could not download or read the pretrained " + name + " weights (" + e.getMessage()
                    + "). Offline, download " + weightsFile + " from " + z.pretrainedUrl(PretrainedType.IMAGENET)
                    + " on another machine and either put it at " + cacheLocation().getAbsolutePath()
                    + " or pass the file (or its folder) to load(...) / --weights", e);
        }
    }

    /**
     * Loads weights from a local model zip saved by DL4J (the zoo's own file, or {@code graph.save(file)}), or from
     * a folder that holds {@link #weightsFileName()}.
     *
     * @param fileOrDirectory the model zip, or a folder containing the zoo's file
     * @return the graph
     * @throws IOException when the file is missing, unreadable, or not this architecture; the message says what
     *                     was expected where
     */
    public ComputationGraph load(File fileOrDirectory) throws IOException {
        if (fileOrDirectory == null) {
            throw new IOException("No weights file given for " + name);
        }
        File f = fileOrDirectory;
        if (f.isDirectory()) {
            if (weightsFile == null) {
                throw new IOException(f.getAbsolutePath() + " is a folder; give the saved model file for " + name);
            }
            f = new File(f, weightsFile);
        }
        if (!f.isFile()) {
            throw new IOException("Weights file not found: " + f.getAbsolutePath() + ". Expected "
                    + (weightsFile != null ? weightsFile + " (from " + zooUrl() + ") or " : "")
                    + "a model saved with graph.save(file); put it there or pass its path");
        }
        org.deeplearning4j.nn.api.Model m = Models.load(f);
        if (!(m instanceof ComputationGraph)) {
            throw new IOException(f.getAbsolutePath() + " holds a MultiLayerNetwork, not the " + name + " graph");
        }
        ComputationGraph g = (ComputationGraph) m;
        ComputationGraphConfiguration conf = g.getConfiguration();
        for (String v : layerNames.values()) {
            if (!conf.getVertices().containsKey(v)) {
                throw new IOException(f.getAbsolutePath() + " is a DL4J model but not " + name + ": it has no vertex '"
                        + v + "' (" + humanName(v) + ")");
            }
        }
        return g;
    }

    private String zooUrl() {
        try {
            return zooModel == null ? "DL4J's zoo" : zooModel.get().pretrainedUrl(PretrainedType.IMAGENET);
        } catch (RuntimeException e) {
            return "DL4J's zoo";
        }
    }

    /**
     * @param graph this entry's graph (random, pretrained or loaded)
     * @return the adapter with this entry's input spec and a batch size that bounds activation memory
     */
    public InterpretableModel interpretable(ComputationGraph graph) {
        return Models.builder(graph).inputSpec(spec).maxBatchSize(maxBatch).build();
    }

    /**
     * @param model the adapter from {@link #interpretable(ComputationGraph)}
     * @param layer human-readable or vertex name
     * @return the receptive field of the layer's centre unit (its full size, before clipping to the image)
     */
    public ReceptiveField receptiveField(InterpretableModel model, String layer) {
        String v = vertex(layer);
        long[] shape = model.layer(v).outputShape();
        return shape.length == 3 ? model.receptiveField(v, shape[1] / 2, shape[2] / 2) : model.receptiveField(v, 0, 0);
    }

    @Override
    public String toString() {
        return name + " (" + description + ")";
    }
}
