package org.deeplearning4j.interpret.gradient;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fast execution path: a SameDiff graph that mirrors the network op for op and <b>wraps the network's own
 * parameter arrays</b>. SameDiff's default thread-safe array holder stores a per-device copy of each variable's array
 * (verified: in-place changes to the array passed to {@code sd.var} are then not seen), so the mirror installs
 * single-thread array holders, which keep the very arrays; training updates and manual weight edits are seen at once
 * with no copy. Calls on one mirror are serialised. It runs on libnd4j's ops, which use
 * oneDNN on CPU ({@code -onednn} classifier) and cuDNN on CUDA, and computes input gradients by SameDiff autodiff of
 * {@code sum(activation(layer) * seed)}.
 *
 * <p>Covered: convolution (same/truncate/strict padding, any stride; dilated convolutions go to the fallback
 * because oneDNN in the M2.1 CPU build rejects some FP32 dilated descriptors), max/average subsampling, batch
 * normalization (inference statistics), dense, output and loss layers (as logits), activation layers and fused
 * identity/ReLU/leaky ReLU/sigmoid/tanh/ELU/softmax activations, global max/average/sum pooling, zero padding,
 * dropout (identity), element-wise add/subtract/product/average/max, merge, and the CNN/feed-forward preprocessors.
 * {@link #unsupportedLayers(ComputationGraph)} names anything else, and the model then uses {@link LayerLoopEngine}.
 */
public final class SameDiffMirror implements GradientEngine {
    private static final String INPUT = "input__";
    private static final String SEED = "seed__";
    private static final String LOSS = "loss__";
    private static final String FORWARD_KEY = "<forward>";

    private final ComputationGraph base;
    private final Map<String, Mirror> mirrors = new ConcurrentHashMap<>();

    /** @param base an analysis copy built with {@link ReluRule#NORMAL} that shares the model's parameters */
    public SameDiffMirror(ComputationGraph base) {
        this.base = base;
    }

    /**
     * @param base an analysis copy of the network
     * @return "name (Type)" for every vertex the mirror cannot express; empty when the fast path covers the network
     */
    public static List<String> unsupportedLayers(ComputationGraph base) {
        Builder b = new Builder(base, ReluRule.NORMAL, true);
        b.build();
        return b.unsupported;
    }

    @Override
    public String name() {
        return "samediff";
    }

    @Override
    public List<String> unsupportedLayers() {
        return List.of();
    }

    @Override
    public Map<String, INDArray> forward(INDArray input, Collection<String> layers) {
        Mirror m = mirrors.computeIfAbsent(FORWARD_KEY, k -> new Builder(base, ReluRule.NORMAL, false).build());
        String[] names = layers.stream().map(m.vars::get).toArray(String[]::new);
        Map<String, INDArray> out;
        synchronized (m) {
            out = m.sd.output(Map.of(INPUT, input), names);
        }
        Map<String, INDArray> res = new HashMap<>();
        for (String l : layers) {
            res.put(l, out.get(m.vars.get(l)).detach());
        }
        return res;
    }

    @Override
    public INDArray[] inputGradient(INDArray input, String layer, INDArray seed, ReluRule rule) {
        Mirror m = mirrors.computeIfAbsent(rule + "|" + layer, k -> {
            Mirror built = new Builder(base, rule, false).build();
            SDVariable act = built.sd.getVariable(built.vars.get(layer));
            SDVariable s = built.sd.placeHolder(SEED, act.dataType());
            built.sd.sum(LOSS, act.mul(s));
            built.sd.setLossVariables(LOSS);
            return built;
        });
        String actName = m.vars.get(layer);
        synchronized (m) {
            OutAndGrad r = m.sd.calculateGradientsAndOutputs(Map.of(INPUT, input, SEED, seed), List.of(actName),
                    List.of(INPUT));
            return new INDArray[] {r.getOutputs().get(actName).detach(), r.getGradients().get(INPUT).detach()};
        }
    }

    private static final class Mirror {
        final SameDiff sd;
        final Map<String, String> vars;

        Mirror(SameDiff sd, Map<String, String> vars) {
            this.sd = sd;
            this.vars = vars;
        }
    }

    /** Translates the analysis copy vertex by vertex. */
    private static final class Builder {
        private final ComputationGraph g;
        private final ComputationGraphConfiguration conf;
        private final ReluRule rule;
        private final boolean dryRun;
        private final SameDiff sd = SameDiff.create();
        private final List<String> unsupported = new ArrayList<>();
        private DataType dt;
        /** Rank of the current layer's input after preprocessing (shapes are not known statically). */
        private int inputRank;
        private final Map<String, Integer> ranks = new HashMap<>();

        Builder(ComputationGraph g, ReluRule rule, boolean dryRun) {
            // keep references to the network's parameter views instead of per-device copies
            sd.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), false);
            this.g = g;
            this.conf = g.getConfiguration();
            this.rule = rule;
            this.dryRun = dryRun;
        }

        Mirror build() {
            dt = g.params().dataType();
            Map<String, SDVariable> out = new HashMap<>();
            Map<String, String> names = new HashMap<>();
            GraphVertex[] vs = g.getVertices();
            for (int idx : g.topologicalSortOrder()) {
                GraphVertex v = vs[idx];
                String name = v.getVertexName();
                SDVariable result;
                int r;
                if (v.isInputVertex()) {
                    // SameDiff M2.1 only differentiates ops on a path from the loss to a trainable variable, and a
                    // placeholder gets a gradient only as a side output of such an op. A unit scale variable on
                    // the input puts the whole input path on such a path (e.g. a dense layer first).
                    result = sd.placeHolder(INPUT, dt, -1, -1, -1, -1)
                            .mul(sd.var("input_scale__", Nd4j.scalar(dt, 1.0)));
                    r = 4;
                } else {
                    List<SDVariable> ins = new ArrayList<>();
                    VertexIndices[] src = v.getInputVertices();
                    for (VertexIndices vi : src) {
                        ins.add(out.get(vs[vi.getVertexIndex()].getVertexName()));
                    }
                    inputRank = ranks.get(vs[src[0].getVertexIndex()].getVertexName());
                    result = vertex(v, ins);
                    r = inputRank;
                }
                if (result == null) {
                    result = sd.placeHolder("unsupported__" + name, dt, -1, -1, -1, -1);
                }
                ranks.put(name, r);
                out.put(name, result);
                names.put(name, result.name());
            }
            return new Mirror(sd, names);
        }

        private SDVariable unsupported(String name, String what) {
            unsupported.add(name + " (" + what + ")");
            if (!dryRun) {
                throw new IllegalStateException("fast path cannot express " + name + " (" + what + ")");
            }
            return null;
        }

        private SDVariable vertex(GraphVertex v, List<SDVariable> ins) {
            String name = v.getVertexName();
            org.deeplearning4j.nn.conf.graph.GraphVertex cv = conf.getVertices().get(name);
            if (cv instanceof ElementWiseVertex) {
                return elementWise(name, ((ElementWiseVertex) cv).getOp(), ins);
            }
            if (cv instanceof MergeVertex) {
                int axis = ((MergeVertex) cv).getMergeAxis();
                return sd.concat(axis, ins.toArray(new SDVariable[0]));
            }
            if (!(cv instanceof org.deeplearning4j.nn.conf.graph.LayerVertex)) {
                return unsupported(name, cv.getClass().getSimpleName());
            }
            org.deeplearning4j.nn.conf.graph.LayerVertex lv = (org.deeplearning4j.nn.conf.graph.LayerVertex) cv;
            SDVariable x = preprocess(name, lv.getPreProcessor(), ins.get(0));
            if (x == null) {
                return null;
            }
            return layer(name, lv.getLayerConf().getLayer(), x, v.getLayer());
        }

        private SDVariable elementWise(String name, ElementWiseVertex.Op op, List<SDVariable> ins) {
            SDVariable acc = ins.get(0);
            switch (op) {
                case Add:
                case Average:
                    for (int i = 1; i < ins.size(); i++) {
                        acc = acc.add(ins.get(i));
                    }
                    return op == ElementWiseVertex.Op.Average ? acc.div(ins.size()) : acc;
                case Subtract:
                    return acc.sub(ins.get(1));
                case Product:
                    for (int i = 1; i < ins.size(); i++) {
                        acc = acc.mul(ins.get(i));
                    }
                    return acc;
                case Max:
                    for (int i = 1; i < ins.size(); i++) {
                        acc = sd.math().max(acc, ins.get(i));
                    }
                    return acc;
                default:
                    return unsupported(name, "ElementWiseVertex " + op);
            }
        }

        private SDVariable preprocess(String name, InputPreProcessor pp, SDVariable x) {
            if (pp == null) {
                return x;
            }
            if (pp instanceof CnnToFeedForwardPreProcessor) {
                CnnToFeedForwardPreProcessor p = (CnnToFeedForwardPreProcessor) pp;
                if (p.getFormat() != CNN2DFormat.NCHW) {
                    return unsupported(name, "NHWC CnnToFeedForwardPreProcessor");
                }
                inputRank = 2;
                return x.reshape(-1, p.getNumChannels() * p.getInputHeight() * p.getInputWidth());
            }
            if (pp instanceof FeedForwardToCnnPreProcessor) {
                FeedForwardToCnnPreProcessor p = (FeedForwardToCnnPreProcessor) pp;
                inputRank = 4;
                return x.reshape(-1, p.getNumChannels(), p.getInputHeight(), p.getInputWidth());
            }
            return unsupported(name, pp.getClass().getSimpleName());
        }

        private SDVariable param(String name, org.deeplearning4j.nn.api.Layer rt, String key) {
            return sd.var(name + "__" + key, rt.getParam(key));
        }

        private SDVariable layer(String name, Layer c, SDVariable x, org.deeplearning4j.nn.api.Layer rt) {
            Class<?> k = c.getClass();
            if (k == ConvolutionLayer.class) {
                return conv(name, (ConvolutionLayer) c, x, rt);
            }
            if (k == SubsamplingLayer.class) {
                return pool(name, (SubsamplingLayer) c, x);
            }
            if (k == BatchNormalization.class) {
                return batchNorm(name, (BatchNormalization) c, x, rt);
            }
            if (k == DenseLayer.class || k == OutputLayer.class) {
                inputRank = 2;
                org.deeplearning4j.nn.conf.layers.BaseLayer bl = (org.deeplearning4j.nn.conf.layers.BaseLayer) c;
                SDVariable z = x.mmul(param(name, rt, "W"));
                boolean hasBias = !(c instanceof DenseLayer) || ((DenseLayer) c).hasBias();
                if (hasBias) {
                    z = z.add(param(name, rt, "b"));
                }
                return activation(name, bl.getActivationFn(), z);
            }
            if (k == LossLayer.class) {
                return x; // logits: the shadow already replaced the output activation by identity
            }
            if (k == ActivationLayer.class) {
                return activation(name, ((ActivationLayer) c).getActivationFn(), x);
            }
            if (k == DropoutLayer.class) {
                return x;
            }
            if (k == GlobalPoolingLayer.class) {
                return globalPool(name, (GlobalPoolingLayer) c, x);
            }
            if (k == ZeroPaddingLayer.class) {
                ZeroPaddingLayer z = (ZeroPaddingLayer) c;
                if (z.getDataFormat() != CNN2DFormat.NCHW) {
                    return unsupported(name, "NHWC ZeroPaddingLayer");
                }
                int[] p = z.getPadding();
                INDArray pads = Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {p[0], p[1]}, {p[2], p[3]}});
                return sd.nn().pad(x, sd.constant(pads), 0.0);
            }
            return unsupported(name, k.getSimpleName());
        }

        private SDVariable conv(String name, ConvolutionLayer c, SDVariable x, org.deeplearning4j.nn.api.Layer rt) {
            if (c.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
                return unsupported(name, "NHWC ConvolutionLayer");
            }
            PaddingMode mode = paddingMode(c.getConvolutionMode());
            if (mode == null) {
                return unsupported(name, "ConvolutionLayer with " + c.getConvolutionMode() + " mode");
            }
            int[] k = c.getKernelSize();
            int[] s = c.getStride();
            int[] p = c.getPadding();
            int[] d = c.getDilation();
            if (d[0] != 1 || d[1] != 1) {
                // oneDNN in the M2.1 CPU build fails to create some FP32 dilated-convolution descriptors
                return unsupported(name, "dilated ConvolutionLayer");
            }
            Conv2DConfig cfg = Conv2DConfig.builder().kH(k[0]).kW(k[1]).sH(s[0]).sW(s[1]).pH(p[0]).pW(p[1])
                    .dH(d[0]).dW(d[1]).paddingMode(mode).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO)
                    .build();
            // DL4J stores [oC, iC, kH, kW]; libnd4j's conv2d_bp shape check fails for OIYX weights with dilation,
            // so the mirror feeds the YXIO layout (a permuted view; same values).
            SDVariable w = param(name, rt, "W").permute(2, 3, 1, 0);
            SDVariable z = c.hasBias()
                    ? sd.cnn().conv2d(x, w, param(name, rt, "b").reshape(-1), cfg)
                    : sd.cnn().conv2d(x, w, cfg);
            return activation(name, c.getActivationFn(), z);
        }

        private static PaddingMode paddingMode(ConvolutionMode m) {
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

        private SDVariable pool(String name, SubsamplingLayer c, SDVariable x) {
            if (c.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
                return unsupported(name, "NHWC SubsamplingLayer");
            }
            PaddingMode mode = paddingMode(c.getConvolutionMode());
            PoolingType t = c.getPoolingType();
            if (mode == null || (t != PoolingType.MAX && t != PoolingType.AVG)) {
                return unsupported(name, "SubsamplingLayer " + t + "/" + c.getConvolutionMode());
            }
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
            return t == PoolingType.MAX ? sd.cnn().maxPooling2d(x, cfg) : sd.cnn().avgPooling2d(x, cfg);
        }

        private SDVariable batchNorm(String name, BatchNormalization c, SDVariable x,
                org.deeplearning4j.nn.api.Layer rt) {
            if (c.getCnn2DFormat() != CNN2DFormat.NCHW) {
                return unsupported(name, "NHWC BatchNormalization");
            }
            long channels = rt.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).length();
            long[] bshape = inputRank == 2 ? new long[] {1, channels} : new long[] {1, channels, 1, 1};
            SDVariable mean = param(name, rt, BatchNormalizationParamInitializer.GLOBAL_MEAN).reshape(bshape);
            SDVariable var;
            if (c.isUseLogStd()) {
                SDVariable log10s = param(name, rt, BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
                SDVariable s = sd.math().exp(log10s.mul(Math.log(10.0)));
                var = s.mul(s);
            } else {
                var = param(name, rt, BatchNormalizationParamInitializer.GLOBAL_VAR);
            }
            SDVariable std = sd.math().sqrt(var.add(c.getEps())).reshape(bshape);
            SDVariable gamma = c.isLockGammaBeta()
                    ? sd.constant(Nd4j.valueArrayOf(bshape, LayerLoopEngine.lockedGamma(c), dt))
                    : param(name, rt, BatchNormalizationParamInitializer.GAMMA).reshape(bshape);
            SDVariable beta = c.isLockGammaBeta()
                    ? sd.constant(Nd4j.valueArrayOf(bshape, LayerLoopEngine.lockedBeta(c), dt))
                    : param(name, rt, BatchNormalizationParamInitializer.BETA).reshape(bshape);
            // DL4J's BatchNormalization ignores its configured activation function; so does the mirror.
            return x.sub(mean).mul(gamma.div(std)).add(beta);
        }

        private SDVariable globalPool(String name, GlobalPoolingLayer c, SDVariable x) {
            int[] dims = c.getPoolingDimensions() == null ? new int[] {2, 3} : c.getPoolingDimensions();
            boolean keep = !c.isCollapseDimensions();
            inputRank = keep ? inputRank : inputRank - dims.length;
            switch (c.getPoolingType()) {
                case MAX:
                    return sd.max(x, keep, dims);
                case AVG:
                    return sd.mean(x, keep, dims);
                case SUM:
                    return sd.sum(x, keep, dims);
                default:
                    return unsupported(name, "GlobalPoolingLayer " + c.getPoolingType());
            }
        }

        private SDVariable activation(String name, IActivation a, SDVariable z) {
            if (a == null || a instanceof ActivationIdentity) {
                return z;
            }
            if (AnalysisCopies.isPlainRelu(a)) {
                switch (rule) {
                    case GUIDED:
                        return new GuidedReluOp(sd, z).outputVariable();
                    case DECONVNET:
                        return new DeconvReluOp(sd, z).outputVariable();
                    default:
                        return sd.nn().relu(z, 0.0);
                }
            }
            if (a instanceof ActivationSigmoid) {
                return sd.nn().sigmoid(z);
            }
            if (a instanceof ActivationTanH) {
                return sd.nn().tanh(z);
            }
            if (a instanceof ActivationLReLU) {
                return sd.nn().leakyRelu(z, ((ActivationLReLU) a).getAlpha());
            }
            if (a instanceof ActivationSoftmax) {
                return sd.nn().softmax(z, 1);
            }
            if (a instanceof ActivationELU && ((ActivationELU) a).getAlpha() == 1.0) {
                return sd.nn().elu(z);
            }
            return unsupported(name, "activation " + a);
        }
    }
}
