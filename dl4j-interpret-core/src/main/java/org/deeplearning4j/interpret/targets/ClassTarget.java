package org.deeplearning4j.interpret.targets;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;

/** A class score at the output: the pre-softmax logit or the softmax probability. See {@link Targets}. */
final class ClassTarget implements Target {
    enum Kind { LOGIT, PROBABILITY }

    private final Kind kind;
    /** null: the predicted class; length 1: the same class for all; else one class per example. */
    private final int[] classes;

    ClassTarget(Kind kind, int[] classes) {
        this.kind = kind;
        this.classes = classes == null ? null : classes.clone();
    }

    @Override
    public String layer() {
        return null;
    }

    private int[] resolve(INDArray logits) {
        int n = (int) logits.size(0);
        int[] c = new int[n];
        if (classes == null) {
            INDArray am = Nd4j.argMax(logits, 1);
            for (int i = 0; i < n; i++) {
                c[i] = am.getInt(i);
            }
        } else if (classes.length == 1) {
            Arrays.fill(c, classes[0]);
        } else {
            if (classes.length != n) {
                throw new IllegalArgumentException("Target has " + classes.length + " per-example classes but the "
                        + "batch has " + n + " examples; pass one class per example or a single class for all");
            }
            c = classes.clone();
        }
        return c;
    }

    @Override
    public INDArray value(INDArray logits) {
        int[] c = resolve(logits);
        INDArray src = kind == Kind.LOGIT ? logits : Transforms.softmax(logits, true);
        INDArray v = Nd4j.create(logits.dataType(), c.length);
        for (int i = 0; i < c.length; i++) {
            v.putScalar(i, src.getDouble(i, c[i]));
        }
        return v;
    }

    @Override
    public INDArray gradient(INDArray logits) {
        int[] c = resolve(logits);
        INDArray onehot = Nd4j.zeros(logits.dataType(), logits.shape());
        for (int i = 0; i < c.length; i++) {
            onehot.putScalar(i, c[i], 1.0);
        }
        if (kind == Kind.LOGIT) {
            return onehot;
        }
        // d p_c / d z = p_c (e_c - p)
        INDArray p = Transforms.softmax(logits, true);
        INDArray pc = Nd4j.create(logits.dataType(), c.length, 1);
        for (int i = 0; i < c.length; i++) {
            pc.putScalar(i, 0, p.getDouble(i, c[i]));
        }
        return onehot.subi(p).muliColumnVector(pc);
    }

    @Override
    public boolean gradientDependsOnActivation() {
        return classes == null || kind == Kind.PROBABILITY;
    }

    @Override
    public void validate(String layerName, long[] shape) {
        if (shape.length != 2) {
            throw new IllegalArgumentException("A class target needs a [N, classes] output, but layer '" + layerName
                    + "' gives shape " + Arrays.toString(shape) + "; use Targets.channel/neuron for feature maps");
        }
        if (classes == null) {
            return;
        }
        for (int c : classes) {
            if (c < 0 || c >= shape[1]) {
                throw new IllegalArgumentException("Class index " + c + " is out of range: output layer '" + layerName
                        + "' has " + shape[1] + " classes (valid indices 0.." + (shape[1] - 1) + ")");
            }
        }
    }

    @Override
    public void validateBatch(long n) {
        if (classes != null && classes.length > 1 && classes.length != n) {
            throw new IllegalArgumentException("Target has " + classes.length + " per-example classes but the "
                    + "batch has " + n + " examples; pass one class per example or a single class for all");
        }
    }

    @Override
    public Target slice(int from, int to) {
        if (classes == null || classes.length == 1) {
            return this;
        }
        return new ClassTarget(kind, Arrays.copyOfRange(classes, from, to));
    }

    @Override
    public Target fixedFor(INDArray logits) {
        return classes == null ? new ClassTarget(kind, resolve(logits)) : this;
    }

    @Override
    public String description() {
        String what = kind == Kind.LOGIT ? "logit" : "probability";
        if (classes == null) {
            return what + "[predicted class]";
        }
        return what + "[class " + (classes.length == 1 ? String.valueOf(classes[0]) : Arrays.toString(classes)) + "]";
    }

    @Override
    public String toString() {
        return description();
    }
}
