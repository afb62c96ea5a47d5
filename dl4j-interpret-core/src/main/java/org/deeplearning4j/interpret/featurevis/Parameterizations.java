package org.deeplearning4j.interpret.featurevis;

/**
 * Image parameterizations for feature visualization (Olah et al., "Feature Visualization", Distill 2017, section
 * "Preconditioning and Parameterization"; Mordvintsev et al., "Differentiable Image Parameterizations", Distill 2018).
 * All end in a sigmoid, so images are always valid, and the optimiser's model-input preprocessing (pixel range,
 * BGR order, mean subtraction) is applied afterwards from the model's {@code InputSpec}.
 */
public final class Parameterizations {
    /** Standard deviation of the random initial parameters (Lucid's). */
    public static final double DEFAULT_INIT_STD = 0.01;

    private Parameterizations() {
    }

    /** @return the default: {@link #fourier()} */
    public static Parameterization defaultParameterization() {
        return fourier();
    }

    /** @return 1/f-scaled Fourier basis with colour decorrelation: the robust choice */
    public static Parameterization fourier() {
        return fourier(true);
    }

    /**
     * @param decorrelate decorrelate colours (three-channel images only)
     * @return the Fourier parameterization
     */
    public static Parameterization fourier(boolean decorrelate) {
        return new FourierImage(decorrelate, DEFAULT_INIT_STD);
    }

    /** @return plain pixels (through the sigmoid), no decorrelation: what the 2014 class-model papers optimise */
    public static Parameterization pixel() {
        return pixel(false);
    }

    /**
     * @param decorrelate decorrelate colours (three-channel images only)
     * @return pixel parameterization
     */
    public static Parameterization pixel(boolean decorrelate) {
        return new PixelImage(decorrelate, DEFAULT_INIT_STD);
    }
}
