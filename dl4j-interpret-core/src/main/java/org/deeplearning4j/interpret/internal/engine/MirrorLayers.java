package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution2D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2DDerivative;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The mirror's per-layer rules: for each DL4J layer type the fast path covers, one small class that writes the
 * layer's forward ops and its backward rule (as forward ops) together; the element-wise and merge vertices' rules
 * are the two methods at the end. Adding a layer to the fast path means one class
 * here, its entry in {@link #RULES}, and its line in {@link org.deeplearning4j.interpret.gradient.LayerCatalogue}
 * (whose test then checks it against finite differences on both engines).
 */
final class MirrorLayers {

    private MirrorLayers() {
    }

    /** What a rule needs from the graph being built. */
    interface Context {
        /** @return the graph */
        SameDiff sd();

        /** @return the network's data type */
        DataType dt();

        /** @return the rank of the layer's input (after preprocessing) */
        int inputRank();

        /** @param rank the rank of the layer's output, when it differs from its input's */
        void outputRank(int rank);

        /**
         * @param name layer
         * @param what what the fast path cannot express
         * @return null (a dry run collects the reason) or throws
         */
        SameDiffMirror.Piece unsupported(String name, String what);

        /**
         * @param name layer
         * @param rt the layer instance
         * @param key parameter key
         * @return a variable wrapping the network's own parameter array
         */
        SDVariable param(String name, org.deeplearning4j.nn.api.Layer rt, String key);

        /**
         * @param name layer
         * @param rt the layer instance
         * @param key parameter key of a {@code [1, n]} row
         * @return a variable wrapping a rank-1 view of the row
         */
        SDVariable vector(String name, org.deeplearning4j.nn.api.Layer rt, String key);
    }

    /**
     * One layer type's translation.
     *
     * @param <C> the layer configuration type
     */
    interface Rule<C extends Layer> {
        /**
         * @param cx the graph being built
         * @param name the layer's name
         * @param conf its configuration
         * @param x its (preprocessed) input
         * @param rt its instance in the analysis copy (parameters)
         * @return the forward output and backward rule, or {@link Context#unsupported}'s result
         */
        SameDiffMirror.Piece translate(Context cx, String name, C conf, SDVariable x,
                org.deeplearning4j.nn.api.Layer rt);
    }

    /** The rule of each covered layer class (exact classes: subclasses are other layers). */
    static final Map<Class<?>, Rule<?>> RULES = Map.ofEntries(
            Map.entry(ConvolutionLayer.class, new Conv()),
            Map.entry(Convolution2D.class, new Conv()),
            Map.entry(SubsamplingLayer.class, new Pool()),
            Map.entry(BatchNormalization.class, new BatchNorm()),
            Map.entry(DenseLayer.class, new Dense()),
            Map.entry(OutputLayer.class, new Dense()),
            Map.entry(LossLayer.class, new Identity()),
            Map.entry(DropoutLayer.class, new Identity()),
            Map.entry(ActivationLayer.class, new Activation()),
            Map.entry(GlobalPoolingLayer.class, new GlobalPool()),
            Map.entry(ZeroPaddingLayer.class, new ZeroPadding()));

    /**
     * @param cx the graph being built
     * @param name the layer's name
     * @param conf its configuration
     * @param x its input
     * @param rt its instance
     * @return the layer's piece, or {@link Context#unsupported}'s result for a layer without a rule
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static SameDiffMirror.Piece translate(Context cx, String name, Layer conf, SDVariable x,
            org.deeplearning4j.nn.api.Layer rt) {
        Rule rule = RULES.get(conf.getClass());
        return rule == null ? cx.unsupported(name, conf.getClass().getSimpleName())
                : rule.translate(cx, name, conf, x, rt);
    }

    static PaddingMode paddingMode(ConvolutionMode m) {
        switch (m) {
            case Same:
                return PaddingMode.SAME;
            case Truncate:
            case Strict:
                return PaddingMode.VALID;
            default:
                return null;
        }
    }

    /**
     * Convolution: libnd4j's conv2d reading DL4J's [oC, iC, kH, kW] weights as they are and the bias as a view;
     * backward: a transposed convolution without padding, then the padding cropped.
     */
    static final class Conv implements Rule<ConvolutionLayer> {
        @Override
        public SameDiffMirror.Piece translate(Context cx, String name, ConvolutionLayer c, SDVariable x,
                org.deeplearning4j.nn.api.Layer rt) {
            String why = ConvOps.uncovered(c);
            if (why != null) {
                return cx.unsupported(name, why);
            }
            PaddingMode mode = paddingMode(c.getConvolutionMode());
            int[] k = c.getKernelSize();
            int[] s = c.getStride();
            int[] p = c.getPadding();
            IActivation act = c.getActivationFn();
            if (!ActivationRules.mirrorSupports(act)) {
                return cx.unsupported(name, "activation " + act);
            }
            SameDiff sd = cx.sd();
            boolean same = mode == PaddingMode.SAME;
            Conv2DConfig cfg = Conv2DConfig.builder().kH(k[0]).kW(k[1]).sH(s[0]).sW(s[1]).pH(p[0]).pW(p[1])
                    .dH(1).dW(1).paddingMode(mode).dataFormat("NCHW").weightsFormat(WeightsFormat.OIYX).build();
            // per-call permutes of every weight array took a third of ResNet50's forward pass: none here
            SDVariable w = cx.param(name, rt, "W");
            SDVariable z = c.hasBias() ? sd.cnn().conv2d(x, w, cx.vector(name, rt, "b"), cfg)
                    : sd.cnn().conv2d(x, w, cfg);
            SDVariable y = ActivationRules.forward(sd, act, z, 4);
            DataType dt = cx.dt();
            return new SameDiffMirror.Piece(y, (e, r, shapes) -> {
                SDVariable ez = ActivationRules.backward(sd, act, z, y, e, r, dt, 4);
                long[] in = shapes.get(x.name());
                long[] out = shapes.get(z.name());
                SDVariable full = TransposedConvolution.of(sd, ez, w, k, s);
                int[][] crop = ConvOps.crop(new long[] {in[2], in[3]}, new long[] {out[2], out[3]}, k, s, p, same);
                int[] top = crop[0];
                int[] extra = crop[1];
                if (extra[0] > 0 || extra[1] > 0) {
                    INDArray pads = Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {0, extra[0]}, {0, extra[1]}});
                    full = sd.nn().pad(full, sd.constant(pads), 0.0);
                }
                return List.of(sd.slice(full, new int[] {0, 0, top[0], top[1]}, -1, -1, (int) in[2], (int) in[3]));
            }, x, z);
        }
    }

    /** Max or average subsampling; backward: the library's tie-splitting max rule, libnd4j's average derivative. */
    static final class Pool implements Rule<SubsamplingLayer> {
        @Override
        public SameDiffMirror.Piece translate(Context cx, String name, SubsamplingLayer c, SDVariable x,
                org.deeplearning4j.nn.api.Layer rt) {
            if (c.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
                return cx.unsupported(name, "NHWC SubsamplingLayer");
            }
            PaddingMode mode = paddingMode(c.getConvolutionMode());
            PoolingType t = c.getPoolingType();
            if (mode == null || (t != PoolingType.MAX && t != PoolingType.AVG)) {
                return cx.unsupported(name, "SubsamplingLayer " + t + "/" + c.getConvolutionMode());
            }
            SameDiff sd = cx.sd();
            int[] k = c.getKernelSize();
            int[] s = c.getStride();
            int[] p = c.getPadding();
            int[] d = c.getDilation();
            Pooling2DConfig cfg = Pooling2DConfig.builder().kH(k[0]).kW(k[1]).sH(s[0]).sW(s[1]).pH(p[0]).pW(p[1])
                    .dH(d[0]).dW(d[1]).paddingMode(mode).isNHWC(false)
                    .type(t == PoolingType.MAX ? Pooling2D.Pooling2DType.MAX : Pooling2D.Pooling2DType.AVG)
                    .divisor(c.isAvgPoolIncludePadInDivisor() ? Pooling2D.Divisor.INCLUDE_PADDING
                            : Pooling2D.Divisor.EXCLUDE_PADDING)
                    .build();
            if (t == PoolingType.MAX) {
                SDVariable out = sd.cnn().maxPooling2d(x, cfg);
                MaxRules.Window win = new MaxRules.Window(k, s, p, d, mode == PaddingMode.SAME);
                DataType dt = cx.dt();
                return new SameDiffMirror.Piece(out, (e, r, shapes) -> List.of(MaxRules.pool(sd, x, e, win,
                        shapes.get(x.name()), shapes.get(out.name()), dt)), x, out);
            }
            SDVariable out = sd.cnn().avgPooling2d(x, cfg);
            return new SameDiffMirror.Piece(out, (e, r, shapes) -> List.of(Pooling2DDerivative.derivativeBuilder()
                    .sameDiff(sd).inputs(new SDVariable[] {x, e}).config(cfg).build().outputVariables()[0]));
        }
    }

    /**
     * Batch normalization with inference statistics: libnd4j's fused batchnorm op (oneDNN on CPU) over rank-1 views
     * of the parameter rows, one op per layer; backward: {@code e * gamma / sqrt(var + eps)}, the same op with zero
     * mean and shift. DL4J's BatchNormalization ignores its configured activation function; so does the mirror.
     */
    static final class BatchNorm implements Rule<BatchNormalization> {
        @Override
        public SameDiffMirror.Piece translate(Context cx, String name, BatchNormalization c, SDVariable x,
                org.deeplearning4j.nn.api.Layer rt) {
            if (c.getCnn2DFormat() != CNN2DFormat.NCHW) {
                return cx.unsupported(name, "NHWC BatchNormalization");
            }
            SameDiff sd = cx.sd();
            SDVariable mean = cx.vector(name, rt, BatchNormalizationParamInitializer.GLOBAL_MEAN);
            SDVariable var;
            if (c.isUseLogStd()) {
                SDVariable log10s = cx.vector(name, rt, BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
                SDVariable sdev = sd.math().exp(log10s.mul(Math.log(10.0)));
                var = sdev.mul(sdev);
            } else {
                var = cx.vector(name, rt, BatchNormalizationParamInitializer.GLOBAL_VAR);
            }
            long channels = rt.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).length();
            DataType dt = cx.dt();
            SDVariable gamma = c.isLockGammaBeta()
                    ? sd.constant(Nd4j.valueArrayOf(new long[] {channels}, LayerLoopEngine.lockedGamma(c), dt))
                    : cx.vector(name, rt, BatchNormalizationParamInitializer.GAMMA);
            SDVariable beta = c.isLockGammaBeta()
                    ? sd.constant(Nd4j.valueArrayOf(new long[] {channels}, LayerLoopEngine.lockedBeta(c), dt))
                    : cx.vector(name, rt, BatchNormalizationParamInitializer.BETA);
            SDVariable y = sd.nn().batchNorm(x, mean, var, gamma, beta, c.getEps(), 1);
            SDVariable zero = sd.constant(Nd4j.zeros(dt, channels));
            return new SameDiffMirror.Piece(y, (e, r, s) -> List.of(sd.nn().batchNorm(e, zero, var, gamma, zero,
                    c.getEps(), 1)));
        }
    }

    /** Dense and output layers (output layers as logits): a matrix product, the bias, the activation. */
    static final class Dense implements Rule<FeedForwardLayer> {
        @Override
        public SameDiffMirror.Piece translate(Context cx, String name, FeedForwardLayer c, SDVariable x,
                org.deeplearning4j.nn.api.Layer rt) {
            cx.outputRank(2);
            IActivation act = c.getActivationFn();
            if (!ActivationRules.mirrorSupports(act)) {
                return cx.unsupported(name, "activation " + act);
            }
            SameDiff sd = cx.sd();
            SDVariable w = cx.param(name, rt, "W");
            SDVariable z = x.mmul(w);
            // an output layer can be bias-free too (hasBias(false)): its "b" parameter does not exist then
            boolean hasBias = c instanceof DenseLayer ? ((DenseLayer) c).hasBias()
                    : !(c instanceof BaseOutputLayer) || ((BaseOutputLayer) c).hasBias();
            if (hasBias) {
                z = z.add(cx.param(name, rt, "b"));
            }
            SDVariable pre = z;
            SDVariable y = ActivationRules.forward(sd, act, pre, 2);
            DataType dt = cx.dt();
            return new SameDiffMirror.Piece(y, (e, r, s) -> List.of(sd.mmul(ActivationRules.backward(sd, act, pre, y,
                    e, r, dt, 2), w, false, true, false)));
        }
    }

    /** Loss layers (logits: the analysis copy replaced the output activation by identity) and dropout. */
    static final class Identity implements Rule<Layer> {
        @Override
        public SameDiffMirror.Piece translate(Context cx, String name, Layer c, SDVariable x,
                org.deeplearning4j.nn.api.Layer rt) {
            return new SameDiffMirror.Piece(x, (e, r, s) -> List.of(e));
        }
    }

    /** Activation layers; backward: the activation's rule ({@link ReluRule} at rectifiers). */
    static final class Activation implements Rule<ActivationLayer> {
        @Override
        public SameDiffMirror.Piece translate(Context cx, String name, ActivationLayer c, SDVariable x,
                org.deeplearning4j.nn.api.Layer rt) {
            IActivation act = c.getActivationFn();
            if (!ActivationRules.mirrorSupports(act)) {
                return cx.unsupported(name, "activation " + act);
            }
            SameDiff sd = cx.sd();
            int rank = cx.inputRank();
            SDVariable y = ActivationRules.forward(sd, act, x, rank);
            DataType dt = cx.dt();
            return new SameDiffMirror.Piece(y, (e, r, s) -> List.of(ActivationRules.backward(sd, act, x, y, e, r, dt,
                    rank)));
        }
    }

    /** Global max, average or sum pooling; backward: ties split equally at maxima, spread evenly for averages. */
    static final class GlobalPool implements Rule<GlobalPoolingLayer> {
        @Override
        public SameDiffMirror.Piece translate(Context cx, String name, GlobalPoolingLayer c, SDVariable x,
                org.deeplearning4j.nn.api.Layer rt) {
            int[] dims = c.getPoolingDimensions() == null ? new int[] {2, 3} : c.getPoolingDimensions();
            boolean keep = !c.isCollapseDimensions();
            cx.outputRank(keep ? cx.inputRank() : cx.inputRank() - dims.length);
            SameDiff sd = cx.sd();
            PoolingType t = c.getPoolingType();
            SDVariable out;
            switch (t) {
                case MAX:
                    out = sd.max(x, keep, dims);
                    break;
                case AVG:
                    out = sd.mean(x, keep, dims);
                    break;
                case SUM:
                    out = sd.sum(x, keep, dims);
                    break;
                default:
                    return cx.unsupported(name, "GlobalPoolingLayer " + t);
            }
            DataType dt = cx.dt();
            return new SameDiffMirror.Piece(out, (e, r, shapes) -> {
                long[] in = shapes.get(x.name());
                long[] kept = in.clone();
                kept[0] = -1;
                long count = 1;
                for (int dim : dims) {
                    kept[dim] = 1;
                    count *= in[dim];
                }
                SDVariable e4 = e.reshape(kept);
                switch (t) {
                    case AVG:
                        return List.of(sd.onesLike(x).mul(e4.div(count)));
                    case SUM:
                        return List.of(sd.onesLike(x).mul(e4));
                    default:
                        return List.of(MaxRules.global(x, e4, dims, dt));
                }
            }, x);
        }
    }

    /** Zero padding; backward: the padding cropped off. */
    static final class ZeroPadding implements Rule<ZeroPaddingLayer> {
        @Override
        public SameDiffMirror.Piece translate(Context cx, String name, ZeroPaddingLayer z, SDVariable x,
                org.deeplearning4j.nn.api.Layer rt) {
            if (z.getDataFormat() != CNN2DFormat.NCHW) {
                return cx.unsupported(name, "NHWC ZeroPaddingLayer");
            }
            SameDiff sd = cx.sd();
            int[] p = z.getPadding();
            INDArray pads = Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {p[0], p[1]}, {p[2], p[3]}});
            SDVariable out = sd.nn().pad(x, sd.constant(pads), 0.0);
            return new SameDiffMirror.Piece(out, (e, r, s) -> {
                long[] in = s.get(x.name());
                return List.of(sd.slice(e, new int[] {0, 0, p[0], p[2]}, -1, -1, (int) in[2], (int) in[3]));
            }, x);
        }
    }

    /**
     * Element-wise vertices: add, average, subtract, product, max (ties split equally).
     *
     * @param cx the graph being built
     * @param name the vertex
     * @param op its operation
     * @param ins its inputs
     * @return the piece
     */
    static SameDiffMirror.Piece elementWise(Context cx, String name, ElementWiseVertex.Op op, List<SDVariable> ins) {
        SameDiff sd = cx.sd();
        DataType dt = cx.dt();
        SDVariable acc = ins.get(0);
        int n = ins.size();
        switch (op) {
            case Add:
            case Average:
                for (int i = 1; i < n; i++) {
                    acc = acc.add(ins.get(i));
                }
                boolean avg = op == ElementWiseVertex.Op.Average;
                return new SameDiffMirror.Piece(avg ? acc.div(n) : acc, (e, r, s) -> {
                    SDVariable each = avg ? e.div(n) : e;
                    List<SDVariable> out = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        out.add(each);
                    }
                    return out;
                });
            case Subtract:
                return new SameDiffMirror.Piece(acc.sub(ins.get(1)), (e, r, s) -> List.of(e, e.neg()));
            case Product:
                for (int i = 1; i < n; i++) {
                    acc = acc.mul(ins.get(i));
                }
                return new SameDiffMirror.Piece(acc, (e, r, s) -> {
                    List<SDVariable> out = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        SDVariable others = e;
                        for (int j = 0; j < n; j++) {
                            if (j != i) {
                                others = others.mul(ins.get(j));
                            }
                        }
                        out.add(others);
                    }
                    return out;
                });
            case Max:
                for (int i = 1; i < n; i++) {
                    acc = sd.math().max(acc, ins.get(i));
                }
                SDVariable max = acc;
                return new SameDiffMirror.Piece(max, (e, r, s) -> MaxRules.elementWise(ins, max, e, dt));
            default:
                return cx.unsupported(name, "ElementWiseVertex " + op);
        }
    }

    /**
     * Merge (concatenation) vertices; backward: the seed sliced back into the inputs' parts.
     *
     * @param cx the graph being built
     * @param mv the vertex
     * @param ins its inputs
     * @return the piece
     */
    static SameDiffMirror.Piece merge(Context cx, MergeVertex mv, List<SDVariable> ins) {
        SameDiff sd = cx.sd();
        int axis = mv.getMergeAxis();
        SDVariable out = sd.concat(axis, ins.toArray(new SDVariable[0]));
        return new SameDiffMirror.Piece(out, (e, r, shapes) -> {
            List<SDVariable> parts = new ArrayList<>();
            int start = 0;
            int rank = shapes.get(out.name()).length;
            for (SDVariable in : ins) {
                int size = (int) shapes.get(in.name())[axis];
                int[] begin = new int[rank];
                int[] len = new int[rank];
                Arrays.fill(len, -1);
                begin[axis] = start;
                len[axis] = size;
                parts.add(sd.slice(e, begin, len));
                start += size;
            }
            return parts;
        }, ins.toArray(new SDVariable[0]));
    }
}
