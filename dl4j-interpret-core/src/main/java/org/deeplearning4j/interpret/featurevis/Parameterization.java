package org.deeplearning4j.interpret.featurevis;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How the optimised image is represented: a differentiable map from free parameters to display images in
 * {@code (0, 1)}, RGB (or grey). Built by {@link Parameterizations}; immutable and thread-safe.
 */
public interface Parameterization {

    /**
     * @param n images
     * @param channels image channels
     * @param height image height
     * @param width image width
     * @param seed random seed
     * @param dataType parameter data type
     * @return random initial parameters
     */
    INDArray init(long n, long channels, long height, long width, long seed, DataType dataType);

    /**
     * @param params parameters from {@link #init} or {@link #fromImage(INDArray)}
     * @return display images {@code [N, C, H, W]} with values in {@code (0, 1)}
     */
    INDArray image(INDArray params);

    /**
     * @param params parameters
     * @param image {@link #image(INDArray)} of {@code params}, already computed by the caller
     * @param imageGradient {@code d objective / d image}
     * @return {@code d objective / d params}, shaped like {@code params}
     */
    INDArray backward(INDArray params, INDArray image, INDArray imageGradient);

    /**
     * @param image display images {@code [N, C, H, W]} in {@code [0, 1]} (values at 0 or 1 are moved just inside)
     * @return parameters whose {@link #image(INDArray)} is {@code image}: to start from a photo
     */
    INDArray fromImage(INDArray image);

    /** @return a short description, e.g. {@code fourier(decorrelated)} */
    String description();
}
