package org.deeplearning4j.interpret.cli;

import org.deeplearning4j.interpret.attribution.Baseline;
import org.deeplearning4j.interpret.attribution.Baselines;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.Lime;
import org.deeplearning4j.interpret.attribution.NoiseTunnel;
import org.deeplearning4j.interpret.attribution.ShapleyValueSampling;
import org.deeplearning4j.interpret.segmentation.Segmenter;
import org.deeplearning4j.interpret.segmentation.Segmenters;
import picocli.CommandLine.Option;

import java.util.Locale;

/** The methods' own options on the command line: integrated gradients' path and SmoothGrad's noise. */
final class MethodOptions {
    @Option(names = "--steps", defaultValue = "" + IntegratedGradients.DEFAULT_STEPS, paramLabel = "N",
            description = "Integrated gradients: integration points (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--baseline", defaultValue = "zeros", paramLabel = "KIND",
            description = "Integrated gradients, GradientSHAP and DeepLIFT: the baseline, zeros, neutral (the model's neutral value, see "
                    + "--neutral) or blurred (default ${DEFAULT-VALUE}).")
    String baseline;

    @Option(names = "--samples", defaultValue = "" + NoiseTunnel.DEFAULT_SAMPLES, paramLabel = "N",
            description = "SmoothGrad: noisy samples per image; GradientSHAP: draws per image (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--noise", defaultValue = "" + NoiseTunnel.DEFAULT_NOISE_LEVEL, paramLabel = "F",
            description = "SmoothGrad: noise standard deviation as a fraction of each image's value range "
                    + "(default ${DEFAULT-VALUE}).")
    double noise;

    @Option(names = "--segments", defaultValue = "" + Segmenters.DEFAULT_SLIC_SEGMENTS, paramLabel = "N",
            description = "LIME, KernelSHAP, Shapley sampling, feature ablation: SLIC superpixels per image "
                    + "(default ${DEFAULT-VALUE}).")
    int segments;

    @Option(names = "--perturbations", defaultValue = "0", paramLabel = "N",
            description = "LIME and KernelSHAP: perturbed images per image (default " + Lime.DEFAULT_SAMPLES
                    + "); Shapley sampling: random orders of the segments (default "
                    + ShapleyValueSampling.DEFAULT_SAMPLES + ").")
    int perturbations;

    @Option(names = "--composite", defaultValue = "epsilon", paramLabel = "NAME",
            description = "LRP: the rule of each layer, epsilon (1e-6 everywhere), montavon (z^B input, gamma lower, "
                    + "epsilon upper convolutions, LRP-0 dense), epsilon-gamma-box, epsilon-plus or epsilon-alpha2beta1 "
                    + "(default ${DEFAULT-VALUE}).")
    String composite;

    @Option(names = "--deeplift-rule", defaultValue = "rescale", paramLabel = "RULE",
            description = "DeepLIFT: rescale or reveal-cancel (default ${DEFAULT-VALUE}).")
    String deepLiftRule;

    /**
     * @return the rule named by --deeplift-rule
     * @throws CliException naming the rules if it is unknown
     */
    org.deeplearning4j.interpret.attribution.DeepLift.Rule deepLiftRule() {
        switch (deepLiftRule.toLowerCase(Locale.ROOT)) {
            case "rescale": return org.deeplearning4j.interpret.attribution.DeepLift.Rule.RESCALE;
            case "reveal-cancel": return org.deeplearning4j.interpret.attribution.DeepLift.Rule.REVEAL_CANCEL;
            default: throw CliException.usage("Unknown DeepLIFT rule '" + deepLiftRule + "'. Rules: rescale, "
                    + "reveal-cancel");
        }
    }

    @Option(names = "--background", paramLabel = "DIR",
            description = "DeepLIFT-SHAP: a folder (or image) of background images, each one a baseline (e.g. 20 "
                    + "training images).")
    java.io.File background;

    /**
     * @param m the model (for its input size and preprocessing)
     * @return the --background images as one batch
     * @throws CliException when the option is missing or holds no image
     */
    org.nd4j.linalg.api.ndarray.INDArray background(org.deeplearning4j.interpret.model.InterpretableModel m) {
        if (background == null) {
            throw CliException.usage("deeplift-shap needs --background DIR: the images whose average it explains "
                    + "against (e.g. 20 training images)");
        }
        try {
            return org.deeplearning4j.interpret.io.ImageLoader.of(m.inputSpec())
                    .load(ImageOptions.expand(java.util.List.of(background)));
        } catch (java.io.IOException e) {
            throw CliException.usage("Cannot read the background images in " + background + ": " + e.getMessage());
        }
    }

    /** Where long methods report progress (the CLI's bar on a terminal). */
    org.deeplearning4j.interpret.progress.ProgressListener progress =
            org.deeplearning4j.interpret.progress.ProgressListener.none();

    /** @throws CliException for an option out of range, before any work */
    void validate() {
        if (steps < 1) {
            throw CliException.usage("--steps must be >= 1, got " + steps);
        }
        if (samples < 1) {
            throw CliException.usage("--samples must be >= 1, got " + samples);
        }
        if (!(noise >= 0) || Double.isInfinite(noise)) {
            throw CliException.usage("--noise must be a fraction >= 0 (e.g. 0.15), got " + noise);
        }
        if (segments < 2) {
            throw CliException.usage("--segments must be >= 2, got " + segments);
        }
        if (perturbations < 0 || perturbations == 1) {
            throw CliException.usage("--perturbations must be >= 2 (or 0 for the method's default), got "
                    + perturbations);
        }
        baseline();
        composite(0, 1);
        deepLiftRule();
    }

    /**
     * @param low the smallest input value in the model's input space (the z^B rule's bound)
     * @param high the largest
     * @return the composite named by --composite
     * @throws CliException naming the composites if it is unknown
     */
    org.deeplearning4j.interpret.gradient.LrpComposite composite(double low, double high) {
        switch (composite.toLowerCase(Locale.ROOT)) {
            case "epsilon": return org.deeplearning4j.interpret.attribution.Lrp.DEFAULT_COMPOSITE;
            case "montavon": return org.deeplearning4j.interpret.gradient.LrpComposite.montavon(low, high);
            case "epsilon-gamma-box":
                return org.deeplearning4j.interpret.gradient.LrpComposite.epsilonGammaBox(low, high);
            case "epsilon-plus": return org.deeplearning4j.interpret.gradient.LrpComposite.epsilonPlus();
            case "epsilon-alpha2beta1": return org.deeplearning4j.interpret.gradient.LrpComposite.epsilonAlpha2Beta1();
            default: throw CliException.usage("Unknown LRP composite '" + composite + "'. Composites: epsilon, "
                    + "montavon, epsilon-gamma-box, epsilon-plus, epsilon-alpha2beta1");
        }
    }

    /** @return SLIC with --segments superpixels */
    Segmenter segmenter() {
        return Segmenters.slic(segments, Segmenters.DEFAULT_SLIC_COMPACTNESS);
    }

    /**
     * @param methodDefault the method's own default
     * @return --perturbations, or the default when not given
     */
    int perturbations(int methodDefault) {
        return perturbations > 0 ? perturbations : methodDefault;
    }

    /**
     * @return the baseline named by --baseline
     * @throws CliException naming the kinds if it is unknown
     */
    Baseline baseline() {
        switch (baseline.toLowerCase(Locale.ROOT)) {
            case "zeros": return Baselines.zeros();
            case "neutral": return Baselines.grey();
            case "blurred": return Baselines.blurred(5);
            default: throw CliException.usage("Unknown baseline '" + baseline + "'. Baselines: zeros, neutral, "
                    + "blurred");
        }
    }
}
