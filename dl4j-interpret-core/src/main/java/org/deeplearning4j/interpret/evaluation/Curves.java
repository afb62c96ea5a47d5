package org.deeplearning4j.interpret.evaluation;

import org.deeplearning4j.interpret.io.Npy;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One kind of perturbation curve (deletion, insertion, ROAD) for a batch: the target's value after each step in the
 * map's order and in random orders, with the areas under the curves. Immutable; arrays are copied in and out.
 */
public final class Curves {
    private final String kind;
    private final String method;
    private final String target;
    private final Map<String, String> options;
    private final double[] fractions;
    private final INDArray curves;
    private final INDArray randomCurves;

    /**
     * @param kind e.g. {@code deletion}
     * @param method the attribution method whose order was followed
     * @param target target description
     * @param options options used
     * @param fractions fraction of pixels removed (or revealed) at each step, from 0 to 1
     * @param curves the target's value per example and step in the map's order, {@code [N, steps + 1]}
     * @param randomCurves the same averaged over the random orders, {@code [N, steps + 1]}
     */
    public Curves(String kind, String method, String target, Map<String, String> options, double[] fractions,
            INDArray curves, INDArray randomCurves) {
        if (curves.rank() != 2 || curves.size(1) != fractions.length || !java.util.Arrays.equals(curves.shape(),
                randomCurves.shape())) {
            throw new IllegalArgumentException("curves and random curves must both be [N, " + fractions.length + "]");
        }
        this.kind = kind;
        this.method = method;
        this.target = target;
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.fractions = fractions.clone();
        this.curves = curves.castTo(DataType.DOUBLE).dup();
        this.randomCurves = randomCurves.castTo(DataType.DOUBLE).dup();
    }

    /** @return the kind, e.g. {@code deletion} */
    public String kind() {
        return kind;
    }

    /** @return the method whose map gave the order */
    public String method() {
        return method;
    }

    /** @return the target description */
    public String target() {
        return target;
    }

    /** @return options used (read-only) */
    public Map<String, String> options() {
        return options;
    }

    /** @return fraction of pixels changed at each step */
    public double[] fractions() {
        return fractions.clone();
    }

    /** @return the curves in the map's order, {@code [N, steps + 1]} */
    public INDArray curves() {
        return curves.dup();
    }

    /** @return the curves averaged over random orders, {@code [N, steps + 1]} */
    public INDArray randomCurves() {
        return randomCurves.dup();
    }

    /** @return the area under each example's curve (trapezoid rule over the fraction, 0..1), {@code [N]} */
    public INDArray auc() {
        return area(curves);
    }

    /** @return the area under each example's random-order curve, {@code [N]} */
    public INDArray randomAuc() {
        return area(randomCurves);
    }

    /** @return the mean area over the batch */
    public double meanAuc() {
        return auc().meanNumber().doubleValue();
    }

    /** @return the mean random-order area over the batch */
    public double meanRandomAuc() {
        return randomAuc().meanNumber().doubleValue();
    }

    /** @return the mean curve over the batch, one value per step */
    public double[] meanCurve() {
        return curves.mean(0).toDoubleVector();
    }

    /** @return the mean random-order curve over the batch */
    public double[] meanRandomCurve() {
        return randomCurves.mean(0).toDoubleVector();
    }

    private INDArray area(INDArray c) {
        long n = c.size(0);
        double[] out = new double[(int) n];
        for (int i = 0; i < n; i++) {
            double a = 0;
            for (int k = 0; k + 1 < fractions.length; k++) {
                a += (fractions[k + 1] - fractions[k]) * (c.getDouble(i, k) + c.getDouble(i, k + 1)) / 2;
            }
            out[i] = a;
        }
        return Nd4j.createFromArray(out);
    }

    /**
     * Writes one row per example and step: {@code example,fraction,value,random_value}.
     *
     * @param file destination
     * @throws IOException on failure
     */
    public void writeCsv(File file) throws IOException {
        StringBuilder sb = new StringBuilder("example,fraction,value,random_value\n");
        for (int i = 0; i < curves.size(0); i++) {
            for (int k = 0; k < fractions.length; k++) {
                sb.append(String.format(Locale.ROOT, "%d,%.6f,%.9g,%.9g%n", i, fractions[k], curves.getDouble(i, k),
                        randomCurves.getDouble(i, k)));
            }
        }
        Files.writeString(file.toPath(), sb.toString(), StandardCharsets.UTF_8);
    }

    /**
     * Writes {@code <prefix>-curves.npy} and {@code <prefix>-random-curves.npy} ({@code [N, steps + 1]}).
     *
     * @param dir destination folder
     * @param prefix file-name prefix
     * @throws IOException on failure
     */
    public void saveNpy(File dir, String prefix) throws IOException {
        Npy.write(curves, new File(dir, prefix + "-curves.npy"));
        Npy.write(randomCurves, new File(dir, prefix + "-random-curves.npy"));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s of %s [%s]: AUC %.4f (random order %.4f), %d examples, %d steps",
                kind, method, target, meanAuc(), meanRandomAuc(), curves.size(0), fractions.length - 1);
    }
}
