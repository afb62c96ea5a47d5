package org.deeplearning4j.interpret.featurevis;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** A different objective for each image of the batch, e.g. one channel per image: a layer's channels at once. */
final class PerImage extends Objective {
    /** Descriptions list at most this many parts. */
    private static final int DESCRIBE_MAX = 4;
    private final List<Objective> parts;

    PerImage(List<Objective> parts) {
        if (parts == null || parts.isEmpty()) {
            throw new IllegalArgumentException("A per-image objective needs at least one objective");
        }
        for (Objective o : parts) {
            if (o == null) {
                throw new IllegalArgumentException("A per-image objective cannot contain null");
            }
            if (o.couplesBatch()) {
                throw new IllegalArgumentException("'" + o.description() + "' compares the images of a batch and "
                        + "cannot be one image's objective; add it to the per-image objective instead");
            }
        }
        this.parts = List.copyOf(parts);
    }

    int size() {
        return parts.size();
    }

    Objective part(int i) {
        return parts.get(i);
    }

    @Override
    public String description() {
        String head = parts.stream().limit(DESCRIBE_MAX).map(Objective::description).collect(Collectors.joining(", "));
        return "PerImage[" + head + (parts.size() > DESCRIBE_MAX ? ", ... (" + parts.size() + " in all)" : "") + "]";
    }

    @Override
    protected void collectLayers(InterpretableModel model, Set<String> out) {
        parts.forEach(p -> p.collectLayers(model, out));
    }

    @Override
    protected void validate(InterpretableModel model, Map<String, long[]> shapes) {
        long n = shapes.values().iterator().next()[0];
        if (n != parts.size()) {
            throw new IllegalArgumentException("The per-image objective has " + parts.size() + " parts but the batch "
                    + "has " + n + " images; set the batch size to " + parts.size());
        }
        for (Objective p : parts) {
            p.validate(model, shapes);
        }
    }

    @Override
    protected INDArray value(Evaluation e) {
        INDArray out = null;
        for (int i = 0; i < parts.size(); i++) {
            INDArray v = parts.get(i).value(e.row(i));
            if (out == null) {
                out = Nd4j.create(v.dataType(), parts.size());
            }
            out.putScalar(i, v.getDouble(0));
        }
        return out;
    }

    @Override
    protected void gradient(Evaluation e, double weight) {
        for (int i = 0; i < parts.size(); i++) {
            Evaluation row = e.row(i);
            parts.get(i).gradient(row, weight);
            e.mergeRow(i, row);
        }
    }

    @Override
    protected boolean dependsOnActivations() {
        return parts.stream().anyMatch(Objective::dependsOnActivations);
    }
}
