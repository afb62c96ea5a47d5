package org.deeplearning4j.interpret.featurevis;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/** The objectives that read one layer's activation. Built by {@link Objectives}. */
final class LayerTerms {
    private LayerTerms() {
    }

    /** Base: one layer, resolved against the model ({@code null} means the output logits). */
    abstract static class LayerTerm extends Objective {
        final String layer;

        LayerTerm(String layer) {
            this.layer = layer;
        }

        String resolved(InterpretableModel m) {
            return layer == null ? m.outputLayer() : m.layer(layer).name();
        }

        @Override
        protected void collectLayers(InterpretableModel model, Set<String> out) {
            out.add(resolved(model));
        }

        String name() {
            return layer == null ? "output" : layer;
        }

        /** @return the layer's shape, checked to be [N, C] or [N, C, H, W] (activation vectors per position) */
        long[] vectorShape(InterpretableModel model, Map<String, long[]> shapes, String what) {
            String l = resolved(model);
            long[] s = shapes.get(l);
            if (s.length != 2 && s.length != 4) {
                throw new IllegalArgumentException("Layer '" + l + "' gives shape " + Arrays.toString(s) + "; " + what
                        + " needs [N, C] or [N, C, H, W]");
            }
            return s;
        }
    }

    /** Neuron, channel, class logit or class probability, through the attribution {@link Target}s. */
    static final class TargetTerm extends LayerTerm {
        private final Target target;
        private final String description;
        private final boolean probability;

        TargetTerm(Target target, String description, boolean probability) {
            super(target.layer());
            this.target = target;
            this.description = description;
            this.probability = probability;
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        protected void validate(InterpretableModel model, Map<String, long[]> shapes) {
            if (probability && !model.spi().softmaxOutput()) {
                throw new IllegalArgumentException("A class-probability objective needs a softmax output, but the "
                        + "output layer '" + model.outputLayer() + "' of this model does not apply softmax; use "
                        + "Objectives.classLogit(k) instead");
            }
            String l = resolved(model);
            target.validate(l, shapes.get(l));
        }

        @Override
        protected INDArray value(Evaluation e) {
            return target.value(e.activation(resolved(e.model())));
        }

        @Override
        protected void gradient(Evaluation e, double weight) {
            e.addLayerGradient(resolved(e.model()), target.gradient(e.activation(resolved(e.model()))), weight);
        }

        @Override
        protected boolean dependsOnActivations() {
            return target.gradientDependsOnActivation();
        }
    }

    /** DeepDream: the mean squared activation of a whole layer. */
    static final class LayerPower extends LayerTerm {

        LayerPower(String layer) {
            super(layer);
        }

        @Override
        public String description() {
            return "DeepDream[" + name() + "]";
        }

        @Override
        protected void validate(InterpretableModel model, Map<String, long[]> shapes) {
        }

        @Override
        protected INDArray value(Evaluation e) {
            INDArray a = e.activation(resolved(e.model()));
            return a.mul(a).reshape(a.size(0), -1).mean(1);
        }

        @Override
        protected void gradient(Evaluation e, double weight) {
            INDArray a = e.activation(resolved(e.model()));
            e.addLayerGradient(resolved(e.model()), a.mul(2.0 / (a.length() / a.size(0))), weight);
        }

        /** The gradient {@code 2 A / n} is linear in the activation: computed inside the gradient pass. */
        @Override
        boolean addAffineScales(InterpretableModel model, Map<String, long[]> shapes, Map<String, Double> out,
                double weight) {
            String l = resolved(model);
            long[] s = shapes.get(l);
            long perExample = 1;
            for (int i = 1; i < s.length; i++) {
                perExample *= s[i];
            }
            out.merge(l, weight * 2.0 / perExample, Double::sum);
            return true;
        }

        @Override
        protected boolean dependsOnActivations() {
            return true;
        }
    }

    /**
     * Activation along a direction: {@code v(X) . v0} averaged over positions (or at one position), optionally
     * multiplied by the cosine similarity to the power {@code p} (floored at 0.1), as Lucid's {@code direction}
     * objectives.
     */
    static final class Direction extends LayerTerm {
        /** Lucid's floor on the cosine before it is raised to the power. */
        static final double COSINE_FLOOR = 0.1;
        private static final double EPS = 1e-4;
        /** One vector for every position, or (match) one per position in row-major order. */
        private final double[][] vectors;
        private final boolean perPosition;
        private final int y;
        private final int x;
        private final double cosinePower;

        Direction(String layer, double[] v0, int y, int x, double cosinePower) {
            this(layer, new double[][] {v0}, false, y, x, cosinePower);
        }

        /**
         * @param perPosition true: {@code vectors[p]} is the target of position {@code p} (row-major), a whole-layer
         *                    activation match
         */
        Direction(String layer, double[][] vectors, boolean perPosition, int y, int x, double cosinePower) {
            super(layer);
            if (vectors == null || vectors.length == 0 || vectors[0] == null || vectors[0].length == 0) {
                throw new IllegalArgumentException("A direction objective needs a non-empty vector");
            }
            for (double[] v : vectors) {
                if (v.length != vectors[0].length) {
                    throw new IllegalArgumentException("All target vectors need the same length");
                }
                for (double d : v) {
                    if (!Double.isFinite(d)) {
                        throw new IllegalArgumentException("The direction vector contains NaN or infinite values");
                    }
                }
            }
            if (cosinePower < 0 || !Double.isFinite(cosinePower)) {
                throw new IllegalArgumentException("cosinePower must be >= 0, got " + cosinePower);
            }
            this.vectors = new double[vectors.length][];
            for (int i = 0; i < vectors.length; i++) {
                this.vectors[i] = vectors[i].clone();
            }
            this.perPosition = perPosition;
            this.y = y;
            this.x = x;
            this.cosinePower = cosinePower;
        }

        @Override
        public String description() {
            return (perPosition ? "ActivationMatch[" : "Direction[") + name() + (y >= 0 ? "@" + y + "," + x : "")
                    + (cosinePower > 0 ? ", cos^" + Sum.format(cosinePower) : "") + "]";
        }

        private int channels() {
            return vectors[0].length;
        }

        private double[] target(int p) {
            return perPosition ? vectors[p] : vectors[0];
        }

        @Override
        protected void validate(InterpretableModel model, Map<String, long[]> shapes) {
            String l = resolved(model);
            long[] s = vectorShape(model, shapes, "a direction objective");
            if (s[1] != channels()) {
                throw new IllegalArgumentException("The direction vector has " + channels() + " entries but layer '"
                        + l + "' has " + s[1] + " channels");
            }
            if (y >= 0 && (s.length != 4 || y >= s[2] || x >= s[3])) {
                throw new IllegalArgumentException("Position (" + y + ", " + x + ") is outside layer '" + l + "' "
                        + (s.length == 4 ? "of spatial size " + s[2] + "x" + s[3] : "which has no spatial extent"));
            }
            long positions = s.length == 4 ? s[2] * s[3] : 1;
            if (perPosition && vectors.length != positions) {
                throw new IllegalArgumentException("The activation match has " + vectors.length + " target positions "
                        + "but layer '" + l + "' has " + positions);
            }
        }

        /** @return rows of activation vectors per image: [n][positions][channels] */
        private double[][][] vectors(INDArray a) {
            int n = (int) a.size(0);
            int c = (int) a.size(1);
            int h = a.rank() == 4 ? (int) a.size(2) : 1;
            int w = a.rank() == 4 ? (int) a.size(3) : 1;
            double[] flat = a.dup('c').data().asDouble();
            boolean one = y >= 0;
            double[][][] out = new double[n][one ? 1 : h * w][c];
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int p = 0; p < (one ? 1 : h * w); p++) {
                        int pos = one ? y * w + x : p;
                        out[i][p][ch] = flat[(i * c + ch) * h * w + pos];
                    }
                }
            }
            return out;
        }

        private static double norm(double[] v) {
            double s = 0;
            for (double d : v) {
                s += d * d;
            }
            return Math.sqrt(s);
        }

        private static double dot(double[] a, double[] v) {
            double d = 0;
            for (int k = 0; k < a.length; k++) {
                d += a[k] * v[k];
            }
            return d;
        }

        @Override
        protected INDArray value(Evaluation e) {
            double[][][] vs = vectors(e.activation(resolved(e.model())));
            double[] out = new double[vs.length];
            for (int i = 0; i < vs.length; i++) {
                double s = 0;
                for (int p = 0; p < vs[i].length; p++) {
                    double[] a = vs[i][p];
                    double[] v = target(p);
                    double d = dot(a, v);
                    s += cosinePower == 0 ? d : d * Math.pow(Math.max(COSINE_FLOOR,
                            d / ((EPS + norm(a)) * (EPS + norm(v)))), cosinePower);
                }
                out[i] = s / vs[i].length;
            }
            return Nd4j.createFromArray(out).castTo(e.activation(resolved(e.model())).dataType());
        }

        @Override
        protected void gradient(Evaluation e, double weight) {
            INDArray act = e.activation(resolved(e.model()));
            double[][][] vs = vectors(act);
            int n = vs.length;
            int c = channels();
            int h = act.rank() == 4 ? (int) act.size(2) : 1;
            int w = act.rank() == 4 ? (int) act.size(3) : 1;
            double[] g = new double[(int) act.length()];
            for (int i = 0; i < n; i++) {
                int positions = vs[i].length;
                for (int p = 0; p < positions; p++) {
                    double[] a = vs[i][p];
                    double[] v = target(p);
                    double[] ga = new double[c];
                    if (cosinePower == 0) {
                        System.arraycopy(v, 0, ga, 0, c);
                    } else {
                        double d = dot(a, v);
                        double am = norm(a);
                        double denom = (EPS + am) * (EPS + norm(v));
                        double cos = d / denom;
                        double cf = Math.max(COSINE_FLOOR, cos);
                        double cp = Math.pow(cf, cosinePower);
                        for (int k = 0; k < c; k++) {
                            ga[k] = v[k] * cp;
                        }
                        if (cos > COSINE_FLOOR) {
                            double outer = d * cosinePower * Math.pow(cf, cosinePower - 1);
                            for (int k = 0; k < c; k++) {
                                double dcos = v[k] / denom
                                        - (am > 0 ? d / ((EPS + am) * denom) * a[k] / am : 0);
                                ga[k] += outer * dcos;
                            }
                        }
                    }
                    int pos = y >= 0 ? y * w + x : p;
                    for (int k = 0; k < c; k++) {
                        g[(i * c + k) * h * w + pos] += ga[k] / positions;
                    }
                }
            }
            INDArray grad = Nd4j.createFromArray(g).castTo(act.dataType()).reshape(act.shape());
            e.addLayerGradient(resolved(e.model()), grad, weight);
        }

        @Override
        protected boolean dependsOnActivations() {
            return cosinePower != 0;
        }
    }

    /**
     * Diversity penalty across a batch (Lucid's): per image, the mean cosine similarity of its Gram matrix (channel
     * correlations over positions) to those of the other images. Subtract it to push restarts apart.
     */
    static final class Diversity extends LayerTerm {

        Diversity(String layer) {
            super(layer);
        }

        @Override
        public String description() {
            return "Diversity[" + name() + "]";
        }

        @Override
        protected void validate(InterpretableModel model, Map<String, long[]> shapes) {
            vectorShape(model, shapes, "diversity");
        }

        @Override
        boolean couplesBatch() {
            return true;
        }

        /** @return per image the Gram matrix (rank 4) or the activation vector (rank 2), flattened */
        private INDArray[] grams(INDArray act) {
            INDArray[] g = new INDArray[(int) act.size(0)];
            for (int i = 0; i < g.length; i++) {
                g[i] = act.rank() == 4 ? positions(act, i).transpose().mmul(positions(act, i)).reshape(-1)
                        : act.getRow(i).dup().reshape(-1);
            }
            return g;
        }

        /** @return image i as [positions, channels] */
        private static INDArray positions(INDArray act, int i) {
            INDArray a = act.get(NDArrayIndex.point(i));
            return a.reshape('c', a.size(0), a.size(1) * a.size(2)).transpose().dup('c');
        }

        @Override
        protected INDArray value(Evaluation e) {
            INDArray act = e.activation(resolved(e.model()));
            INDArray[] g = grams(act);
            int n = g.length;
            double[] out = new double[n];
            for (int i = 0; i < n && n > 1; i++) {
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        out[i] += cos(g[i], g[j]) / (n - 1);
                    }
                }
            }
            return Nd4j.createFromArray(out).castTo(act.dataType());
        }

        private static double cos(INDArray a, INDArray b) {
            double na = a.norm2Number().doubleValue();
            double nb = b.norm2Number().doubleValue();
            return na == 0 || nb == 0 ? 0 : a.mul(b).sumNumber().doubleValue() / (na * nb);
        }

        @Override
        protected void gradient(Evaluation e, double weight) {
            INDArray act = e.activation(resolved(e.model()));
            INDArray[] g = grams(act);
            int n = g.length;
            INDArray out = Nd4j.zeros(act.dataType(), act.shape());
            if (n < 2) {
                e.addLayerGradient(resolved(e.model()), out, weight);
                return;
            }
            for (int i = 0; i < n; i++) {
                double ni = g[i].norm2Number().doubleValue();
                if (ni == 0) {
                    continue;
                }
                INDArray dg = Nd4j.zerosLike(g[i]);
                for (int j = 0; j < n; j++) {
                    double nj = g[j].norm2Number().doubleValue();
                    if (j == i || nj == 0) {
                        continue;
                    }
                    double c = cos(g[i], g[j]);
                    dg.addi(g[j].div(ni * nj)).subi(g[i].mul(c / (ni * ni)));
                }
                dg.muli(2.0 / (n - 1));
                if (act.rank() == 4) {
                    long ch = act.size(1);
                    INDArray dG = dg.reshape(ch, ch);
                    INDArray a = positions(act, i);
                    INDArray da = a.mmul(dG.add(dG.transpose())); // [positions, channels]
                    out.get(NDArrayIndex.point(i)).assign(da.transpose().reshape('c', ch, act.size(2), act.size(3)));
                } else {
                    out.getRow(i).assign(dg);
                }
            }
            e.addLayerGradient(resolved(e.model()), out, weight);
        }

        @Override
        protected boolean dependsOnActivations() {
            return true;
        }
    }
}
