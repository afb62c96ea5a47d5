package org.deeplearning4j.interpret.featurevis;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/** Plain pixels behind the colour squash. See {@link Parameterizations#pixel()}. */
final class PixelImage implements Parameterization {
    private final ColourDecorrelation squash;
    private final double initStd;

    PixelImage(boolean decorrelate, double initStd) {
        this.squash = new ColourDecorrelation(decorrelate);
        this.initStd = initStd;
    }

    @Override
    public INDArray init(long n, long channels, long height, long width, long seed, DataType dataType) {
        return gaussian(new long[] {n, channels, height, width}, initStd, seed, dataType);
    }

    static INDArray gaussian(long[] shape, double std, long seed, DataType dt) {
        Random r = new Random(seed);
        long len = 1;
        for (long s : shape) {
            len *= s;
        }
        double[] v = new double[Math.toIntExact(len)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian() * std;
        }
        return Nd4j.createFromArray(v).castTo(dt).reshape('c', shape);
    }

    @Override
    public INDArray image(INDArray params) {
        return squash.forward(params);
    }

    @Override
    public INDArray backward(INDArray params, INDArray image, INDArray imageGradient) {
        return squash.backward(image, imageGradient);
    }

    @Override
    public INDArray fromImage(INDArray image) {
        return squash.inverse(image);
    }

    @Override
    public String description() {
        return "pixel(" + (squash.decorrelates() ? "decorrelated" : "rgb") + ")";
    }

    @Override
    public String toString() {
        return description();
    }
}
