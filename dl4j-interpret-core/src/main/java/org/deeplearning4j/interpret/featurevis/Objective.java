package org.deeplearning4j.interpret.featurevis;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What feature visualization maximises: a scalar per image built from layer activations (neurons, channels, whole
 * layers, class logits or probabilities, directions, diversity) and image penalties (L1, L2, total variation, blur).
 * Objectives are immutable and compose by arithmetic; each describes itself readably:
 *
 * <pre>{@code
 * Objective o = Objectives.channel("block4_conv3", 12).minus(Objectives.l2().times(0.05));
 * o.description();   // "Channel[block4_conv3:12] - 0.05*L2"
 * }</pre>
 *
 * Penalties ({@link Objectives#l2()}, {@link Objectives#diversity(String)}, ...) are positive when present, so they
 * are subtracted, as in Lucid.
 *
 * <p><b>Writing your own objective.</b> Subclass and implement the five protected methods; the optimiser calls
 * them in this order, on the whole batch of images being optimised:
 * <ol>
 *   <li>{@link #collectLayers}: add the model's names of the layers you read ({@code model.layer(name).name()};
 *       {@code model.outputLayer()} for the logits). An objective that reads no layer is refused.</li>
 *   <li>{@link #validate}: check the activation shapes (batch dimension first) before any optimisation; throw an
 *       {@link IllegalArgumentException} that names what was expected and what came.</li>
 *   <li>{@link #value}: the objective per image, shape {@code [N]}, from {@link Evaluation#activation(String)} and,
 *       for image terms, {@link Evaluation#image()} (display space: RGB in [0, 1]).</li>
 *   <li>{@link #gradient}: add {@code weight * d value / d activation} with
 *       {@link Evaluation#addLayerGradient(String, INDArray, double)} (and {@code d value / d image} with
 *       {@link Evaluation#addImageGradient(INDArray, double)} for image terms). The gradient of the sum over the
 *       batch: row {@code i} of a layer gradient is the derivative of image {@code i}'s value.</li>
 *   <li>{@link #dependsOnActivations}: false when that gradient does not depend on the activation values (a
 *       linear read-out); the model then seeds the backward pass without a forward pass first.</li>
 * </ol>
 * Keep objectives immutable; {@code GradientCheck}-style finite differences of {@code value} against
 * {@code gradient} (as the tests of the built-in objectives do) catch a wrong derivative. The example
 * {@code CustomObjectiveExample} in {@code dl4j-interpret-examples} writes one.
 */
public abstract class Objective {

    /** For subclasses: built-in objectives come from {@link Objectives}. */
    protected Objective() {
    }

    /**
     * @param other another objective
     * @return {@code this + other}
     */
    public final Objective plus(Objective other) {
        return new Sum(List.of(this, require(other)), new double[] {1, 1});
    }

    /**
     * @param other another objective
     * @return {@code this - other}
     */
    public final Objective minus(Objective other) {
        return new Sum(List.of(this, require(other)), new double[] {1, -1});
    }

    /**
     * @param weight a finite factor
     * @return {@code weight * this}
     */
    public final Objective times(double weight) {
        if (!Double.isFinite(weight)) {
            throw new IllegalArgumentException("Objective weight must be finite, got " + weight);
        }
        return new Sum(List.of(this), new double[] {weight});
    }

    /** @return {@code -this}, e.g. to minimise a channel */
    public final Objective negate() {
        return times(-1);
    }

    /** @return a readable form, e.g. {@code Channel[conv2:3] - 0.05*L2} */
    public abstract String description();

    @Override
    public final String toString() {
        return description();
    }

    private static Objective require(Objective o) {
        if (o == null) {
            throw new IllegalArgumentException("Cannot combine an objective with null");
        }
        return o;
    }

    // ---- evaluation: the contract of subclasses ----

    /**
     * Adds the model's names of the layers this objective reads.
     *
     * @param model the model
     * @param out the set to add to
     */
    protected abstract void collectLayers(InterpretableModel model, Set<String> out);

    /**
     * Checks layer shapes and model capabilities before any optimisation.
     *
     * @param model the model
     * @param shapes activation shape of every collected layer, batch dimension first
     * @throws IllegalArgumentException naming what was expected and what came
     */
    protected abstract void validate(InterpretableModel model, Map<String, long[]> shapes);

    /**
     * @param e the activations and images of the batch
     * @return the objective per image, shape {@code [N]}
     */
    protected abstract INDArray value(Evaluation e);

    /**
     * Adds {@code weight * d sum(value) / d (activations, image)} to the accumulators of {@code e}.
     *
     * @param e the activations and images of the batch, and the gradient accumulators
     * @param weight the factor of this objective in the sum being differentiated
     */
    protected abstract void gradient(Evaluation e, double weight);

    /** @return true when the layer gradient depends on activation values (false for linear read-outs) */
    protected abstract boolean dependsOnActivations();

    /**
     * Adds {@code weight * scale} per layer when this objective's layer gradient is affine in the activations with a
     * scalar scale ({@code d/dA = scale * A + offset}); constant gradients add nothing.
     *
     * @return false when the gradient is not of that form (it then needs the activations first)
     */
    boolean addAffineScales(InterpretableModel model, Map<String, long[]> shapes, Map<String, Double> out,
            double weight) {
        return !dependsOnActivations();
    }

    /** @return true when the value of one image depends on the other images of the batch */
    boolean couplesBatch() {
        return false;
    }

    /** @return true for a sum: descriptions of sums inside products get parentheses */
    boolean isSum() {
        return false;
    }

    /** A weighted sum of objectives. */
    static final class Sum extends Objective {
        private final List<Objective> terms;
        private final double[] weights;

        Sum(List<Objective> terms, double[] weights) {
            List<Objective> t = new ArrayList<>();
            List<Double> w = new ArrayList<>();
            for (int i = 0; i < terms.size(); i++) {
                Objective o = terms.get(i);
                if (o instanceof Sum && (terms.size() > 1 || weights[i] == 1)) {
                    Sum s = (Sum) o;
                    for (int j = 0; j < s.terms.size(); j++) {
                        t.add(s.terms.get(j));
                        w.add(s.weights[j] * weights[i]);
                    }
                } else {
                    t.add(o);
                    w.add(weights[i]);
                }
            }
            this.terms = List.copyOf(t);
            this.weights = w.stream().mapToDouble(Double::doubleValue).toArray();
        }

        @Override
        public String description() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < terms.size(); i++) {
                double w = weights[i];
                String d = terms.get(i).isSum() ? "(" + terms.get(i).description() + ")" : terms.get(i).description();
                if (i > 0) {
                    sb.append(w < 0 ? " - " : " + ");
                    w = Math.abs(w);
                } else if (w == -1) {
                    sb.append('-');
                    w = 1;
                }
                if (w != 1) {
                    sb.append(format(w)).append('*');
                }
                sb.append(d);
            }
            return sb.toString();
        }

        static String format(double w) {
            return w == Math.rint(w) && Math.abs(w) < 1e15 ? String.valueOf((long) w) : String.valueOf(w);
        }

        @Override
        boolean isSum() {
            return terms.size() > 1;
        }

        @Override
        protected void collectLayers(InterpretableModel model, Set<String> out) {
            terms.forEach(t -> t.collectLayers(model, out));
        }

        @Override
        protected void validate(InterpretableModel model, Map<String, long[]> shapes) {
            terms.forEach(t -> t.validate(model, shapes));
        }

        @Override
        protected INDArray value(Evaluation e) {
            INDArray v = null;
            for (int i = 0; i < terms.size(); i++) {
                INDArray ti = terms.get(i).value(e).mul(weights[i]);
                v = v == null ? ti : v.addi(ti);
            }
            return v;
        }

        @Override
        protected void gradient(Evaluation e, double weight) {
            for (int i = 0; i < terms.size(); i++) {
                terms.get(i).gradient(e, weight * weights[i]);
            }
        }

        @Override
        protected boolean dependsOnActivations() {
            return terms.stream().anyMatch(Objective::dependsOnActivations);
        }

        @Override
        boolean addAffineScales(InterpretableModel model, Map<String, long[]> shapes, Map<String, Double> out,
                double weight) {
            boolean affine = true;
            for (int i = 0; i < terms.size() && affine; i++) {
                affine = terms.get(i).addAffineScales(model, shapes, out, weight * weights[i]);
            }
            return affine;
        }

        @Override
        boolean couplesBatch() {
            return terms.stream().anyMatch(Objective::couplesBatch);
        }
    }
}
