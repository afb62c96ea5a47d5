package org.deeplearning4j.interpret.cli;

import org.deeplearning4j.interpret.attribution.Baseline;
import org.deeplearning4j.interpret.attribution.Baselines;
import org.deeplearning4j.interpret.attribution.IntegratedGradients;
import org.deeplearning4j.interpret.attribution.NoiseTunnel;
import picocli.CommandLine.Option;

import java.util.Locale;

/** The methods' own options on the command line: integrated gradients' path and SmoothGrad's noise. */
final class MethodOptions {
    @Option(names = "--steps", defaultValue = "" + IntegratedGradients.DEFAULT_STEPS, paramLabel = "N",
            description = "Integrated gradients: integration points (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--baseline", defaultValue = "zeros", paramLabel = "KIND",
            description = "Integrated gradients: the baseline, zeros, neutral (the model's neutral value, see "
                    + "--neutral) or blurred (default ${DEFAULT-VALUE}).")
    String baseline;

    @Option(names = "--samples", defaultValue = "" + NoiseTunnel.DEFAULT_SAMPLES, paramLabel = "N",
            description = "SmoothGrad: noisy samples per image (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--noise", defaultValue = "" + NoiseTunnel.DEFAULT_NOISE_LEVEL, paramLabel = "F",
            description = "SmoothGrad: noise standard deviation as a fraction of each image's value range "
                    + "(default ${DEFAULT-VALUE}).")
    double noise;

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
        baseline();
    }

    /** @return the baseline named by --baseline @throws CliException naming the kinds if it is unknown */
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
