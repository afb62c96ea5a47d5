package org.deeplearning4j.interpret.examples;

import org.deeplearning4j.interpret.data.ShapesCnn;
import org.deeplearning4j.interpret.data.SyntheticShapes;
import org.deeplearning4j.interpret.featurevis.Evaluation;
import org.deeplearning4j.interpret.featurevis.FeatureVisResult;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.featurevis.Objective;
import org.deeplearning4j.interpret.featurevis.Objectives;
import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.Models;
import org.deeplearning4j.interpret.render.FeatureVisImages;
import org.deeplearning4j.interpret.render.HtmlReport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writing your own feature-visualization objective: {@link CentredChannel} asks a channel to fire in the middle of
 * its feature map (a Gaussian-weighted mean of the channel instead of the plain mean of
 * {@link Objectives#channel(String, int)}), the way Lucid users write objectives as functions of activations. The
 * main trains the small shapes CNN briefly and visualises four channels of its last convolution both ways.
 *
 * <pre>mvn -pl dl4j-interpret-examples exec:exec -Dexample=org.deeplearning4j.interpret.examples.CustomObjectiveExample</pre>
 */
public final class CustomObjectiveExample {
    private static final Logger log = LoggerFactory.getLogger(CustomObjectiveExample.class);
    private static final int SIZE = 32;
    private static final String LAYER = "conv3";

    private CustomObjectiveExample() {
    }

    /**
     * The Gaussian-weighted mean of one channel, centred on its feature map: {@code sum_yx w_yx A[c, y, x]} with
     * weights summing to 1. Its gradient does not depend on the activations (a linear read-out), so the model seeds
     * the backward pass without a forward pass first. An infinite width gives the plain channel mean.
     */
    public static final class CentredChannel extends Objective {
        private final String layer;
        private final int channel;
        private final double sigma;

        /**
         * @param layer a convolutional layer
         * @param channel the channel
         * @param sigma the Gaussian's width as a fraction of the map's side ({@code Double.POSITIVE_INFINITY}: flat)
         */
        public CentredChannel(String layer, int channel, double sigma) {
            if (layer == null || channel < 0 || !(sigma > 0)) {
                throw new IllegalArgumentException("Need a layer, a channel >= 0 and a width > 0; got " + layer + ", "
                        + channel + ", " + sigma);
            }
            this.layer = layer;
            this.channel = channel;
            this.sigma = sigma;
        }

        @Override
        public String description() {
            return "CentredChannel[" + layer + ":" + channel + ", sigma " + sigma + "]";
        }

        @Override
        protected void collectLayers(InterpretableModel model, Set<String> out) {
            out.add(model.layer(layer).name());
        }

        @Override
        protected void validate(InterpretableModel model, Map<String, long[]> shapes) {
            long[] s = shapes.get(model.layer(layer).name());
            if (s.length != 4 || channel >= s[1]) {
                throw new IllegalArgumentException("CentredChannel needs channel " + channel + " of a [N, C, H, W] "
                        + "activation; layer '" + layer + "' gives " + Arrays.toString(s));
            }
        }

        /** @return the weights {@code [h * w, 1]}, summing to 1 */
        private INDArray weights(long h, long w, DataType dt) {
            double[] v = new double[(int) (h * w)];
            double sum = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double dy = (y - (h - 1) / 2.0) / (sigma * h);
                    double dx = (x - (w - 1) / 2.0) / (sigma * w);
                    v[(int) (y * w + x)] = Double.isInfinite(sigma) ? 1 : Math.exp(-0.5 * (dy * dy + dx * dx));
                    sum += v[(int) (y * w + x)];
                }
            }
            for (int i = 0; i < v.length; i++) {
                v[i] /= sum;
            }
            return Nd4j.createFromArray(v).castTo(dt).reshape(h * w, 1);
        }

        @Override
        protected INDArray value(Evaluation e) {
            INDArray a = e.activation(e.model().layer(layer).name());
            long n = a.size(0);
            long h = a.size(2);
            long w = a.size(3);
            INDArray map = a.get(NDArrayIndex.all(), NDArrayIndex.point(channel)).dup('c').reshape(n, h * w);
            return map.mmul(weights(h, w, a.dataType())).reshape(n);
        }

        @Override
        protected void gradient(Evaluation e, double weight) {
            String name = e.model().layer(layer).name();
            INDArray a = e.activation(name);
            INDArray wts = weights(a.size(2), a.size(3), a.dataType()).reshape(a.size(2), a.size(3));
            INDArray g = Nd4j.zerosLike(a);
            for (int i = 0; i < a.size(0); i++) {
                g.get(NDArrayIndex.point(i), NDArrayIndex.point(channel)).assign(wts);
            }
            e.addLayerGradient(name, g, weight);
        }

        @Override
        protected boolean dependsOnActivations() {
            return false;
        }
    }

    /**
     * @param args optional output folder
     * @throws Exception on I/O errors
     */
    public static void main(String[] args) throws Exception {
        File out = new File(args.length > 0 ? args[0] : "interpret-output/custom-objective");
        MultiLayerNetwork net = ShapesCnn.build(SIZE, 7);
        ShapesCnn.train(net, SyntheticShapes.builder().size(SIZE).seed(1).build().generate(2000), 2, 3);
        InterpretableModel model = Models.builder(net).inputSpec(InputSpec.builder().shape(3, SIZE, SIZE).build())
                .build();
        FeatureVisualization fv = FeatureVisualization.builder().steps(128).seed(1).build();
        HtmlReport.Builder report = HtmlReport.builder("A custom objective: channels asked to fire in the middle");
        for (int c = 0; c < 4; c++) {
            FeatureVisResult plain = fv.run(model, Objectives.channel(LAYER, c));
            FeatureVisResult centred = fv.run(model, new CentredChannel(LAYER, c, 0.15));
            log.info("{} channel {}: plain mean {}, centred {}", LAYER, c, plain.values().getDouble(0),
                    centred.values().getDouble(0));
            FeatureVisImages.addTo(report, LAYER + ":" + c + ", plain mean (left) and centred (right)",
                    plain, List.of(plain.objective()));
            FeatureVisImages.addTo(report, "", centred, List.of(centred.objective()));
        }
        File html = new File(out, "report.html");
        report.build().write(html);
        log.info("Wrote {}", html.getAbsolutePath());
    }
}
