package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.HostArrays;
import org.deeplearning4j.interpret.internal.Resize;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.LayerInfo;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Layer choice, validation and upsampling shared by the CAM family. */
final class CamLayers {
    private CamLayers() {
    }

    /** @return the last layer with a 4-D (spatial) activation, the usual Grad-CAM choice */
    static String lastSpatial(InterpretableModel model) {
        List<LayerInfo> layers = model.layers();
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (layers.get(i).isSpatial()) {
                return layers.get(i).name();
            }
        }
        throw new IllegalArgumentException("The model has no layer with a spatial (4-D) activation, so CAM methods "
                + "cannot be used; if the input size is unknown, pass an InputSpec with it to Models.builder");
    }

    static String resolve(InterpretableModel model, String layer) {
        String name = layer == null ? lastSpatial(model) : layer;
        LayerInfo info = model.layer(name);
        if (info.outputShape() != null && !info.isSpatial()) {
            throw new IllegalArgumentException("Layer '" + name + "' gives shape "
                    + Arrays.toString(info.outputShape()) + " per example; CAM methods need a convolutional layer "
                    + "with a 4-D [N, C, H, W] activation. Spatial layers: " + model.layers().stream()
                    .filter(LayerInfo::isSpatial).map(LayerInfo::name).collect(Collectors.joining(", ")));
        }
        return name;
    }

    static void checkSpatial(String layer, INDArray act) {
        if (act.rank() != 4) {
            throw new IllegalArgumentException("Layer '" + layer + "' gives shape " + Arrays.toString(act.shape())
                    + "; CAM methods need a 4-D [N, C, H, W] activation");
        }
    }

    /**
     * @param a activations {@code [N, C, h, w]}
     * @param weights channel weights {@code [N, C]}
     * @return {@code sum_k w[n,k] * A[n,k]} as {@code [N, h, w]}: one matrix product per example (a loop over
     *         channels cost two ops per channel, 4000 small ops for ResNet50's 2048 channels)
     */
    static INDArray weightedSum(INDArray a, INDArray weights) {
        long n = a.size(0);
        long c = a.size(1);
        long h = a.size(2);
        long w = a.size(3);
        INDArray cam = Nd4j.create(a.dataType(), n, h, w);
        INDArray wt = weights.castTo(a.dataType());
        for (int i = 0; i < n; i++) {
            INDArray ai = a.get(NDArrayIndex.point(i)).reshape('c', c, h * w); // a view where a is C-contiguous
            INDArray row = wt.getRow(i).reshape(1, c);
            cam.get(NDArrayIndex.point(i)).assign(row.mmul(ai).reshape(h, w));
        }
        return cam;
    }

    /**
     * Upsamples {@code [N, h, w]} to the input size and broadcasts it over the input's channels, in Java arrays: two
     * native arrays, the results (per-channel {@code assign}s into a new array took milliseconds for one 224x224
     * image, more than ResNet50's whole backward pass to its last block).
     *
     * @return {attributions shaped like {@code x}, the map {@code [N, H, W]}}
     */
    static INDArray[] toInputSpace(INDArray cam, INDArray x) {
        int n = (int) cam.size(0);
        int h = (int) cam.size(1);
        int w = (int) cam.size(2);
        int channels = (int) x.size(1);
        int height = (int) x.size(2);
        int width = (int) x.size(3);
        double[] map = HostArrays.doubles(cam);
        if (h != height || w != width) {
            map = Resize.bilinear(map, n, h, w, height, width);
        }
        int plane = height * width;
        double[] attr = new double[Math.multiplyExact(map.length, channels)];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                System.arraycopy(map, i * plane, attr, (i * channels + c) * plane, plane);
            }
        }
        return new INDArray[] {HostArrays.of(attr, x.dataType(), x.shape()),
            HostArrays.of(map, cam.dataType(), n, height, width)};
    }
}
