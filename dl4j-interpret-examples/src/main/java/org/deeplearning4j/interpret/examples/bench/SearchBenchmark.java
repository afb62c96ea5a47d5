package org.deeplearning4j.interpret.examples.bench;

import org.deeplearning4j.interpret.dataset.ExampleSearch;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.LayerInfo;
import org.deeplearning4j.interpret.zoo.Zoo;
import org.deeplearning4j.interpret.zoo.ZooEntry;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark harness (not a test): dataset-example search throughput (images per second) on the zoo's VGG16 and
 * ResNet50 at 224x224 against plain batched inference over the same batches, searching every channel of the last
 * spatial layer with k = 9. Goal: the search within 10% of inference.
 * Usage: {@code mvn -pl dl4j-interpret-examples exec:exec -Dexample=org.deeplearning4j.interpret.examples.bench.SearchBenchmark -Dexample.args="vgg16,resnet50 32"}.
 */
public final class SearchBenchmark {
    private static final int BATCH = 8;

    private SearchBenchmark() {
    }

    /** @param rawArgs models (comma separated), number of images */
    public static void main(String[] rawArgs) {
        String joined = String.join(" ", rawArgs).trim();
        String[] args = joined.isEmpty() ? new String[0] : joined.split("\\s+");
        String[] models = (args.length > 0 ? args[0] : "vgg16,resnet50").split(",");
        int images = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        System.out.println("| model | layer | channels | images | inference (img/s) | search (img/s) | search / inference time |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String name : models) {
            ZooEntry entry = Zoo.get(name);
            ComputationGraph g = entry.randomInit(1);
            InterpretableModel m = entry.interpretable(g);
            String layer = null;
            for (LayerInfo l : m.layers()) {
                if (l.isSpatial()) {
                    layer = l.name();
                }
            }
            List<INDArray> batches = new ArrayList<>();
            Nd4j.getRandom().setSeed(7);
            for (int i = 0; i < images; i += BATCH) {
                batches.add(Nd4j.rand(DataType.FLOAT, BATCH, 3, 224, 224).muli(255).subi(115));
            }
            String l = layer;
            m.logits(batches.get(0)); // warm-up
            long t0 = System.nanoTime();
            for (INDArray b : batches) {
                m.logits(b);
            }
            double inference = (System.nanoTime() - t0) / 1e9;
            ExampleSearch search = ExampleSearch.builder(m).channels(l).k(9).build();
            search.search(List.of(batches.get(0)).iterator()); // warm-up
            long t1 = System.nanoTime();
            search.search(batches.iterator());
            double searchTime = (System.nanoTime() - t1) / 1e9;
            int n = batches.size() * BATCH;
            System.out.println(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.2f | %.2f | %.2f |", name, l,
                    m.layer(l).channels(), n, n / inference, n / searchTime, searchTime / inference));
        }
    }
}
