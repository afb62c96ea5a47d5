package org.deeplearning4j.interpret.concepts;

import java.util.Arrays;

/**
 * One concept's TCAV scores (one per random set its CAV was trained against), their mean and standard deviation,
 * and the two-sided test of the mean against the mean scores of random concepts. Immutable.
 */
public final class ConceptScore {
    private final String concept;
    private final double[] scores;
    private final double[] cavAccuracies;
    private final double pValue;
    private final boolean significant;

    ConceptScore(String concept, double[] scores, double[] cavAccuracies, double pValue, boolean significant) {
        this.concept = concept;
        this.scores = scores.clone();
        this.cavAccuracies = cavAccuracies.clone();
        this.pValue = pValue;
        this.significant = significant;
    }

    /** @return the concept's name */
    public String concept() {
        return concept;
    }

    /** @return the TCAV score of each repetition: the fraction of class images whose derivative along the CAV is > 0 */
    public double[] scores() {
        return scores.clone();
    }

    /** @return the mean TCAV score */
    public double mean() {
        return Arrays.stream(scores).average().orElse(Double.NaN);
    }

    /** @return the sample standard deviation of the TCAV scores */
    public double standardDeviation() {
        double m = mean();
        return scores.length < 2 ? 0 : Math.sqrt(Arrays.stream(scores).map(s -> (s - m) * (s - m)).sum()
                / (scores.length - 1));
    }

    /** @return each repetition's CAV classifier accuracy on its training examples */
    public double[] cavAccuracies() {
        return cavAccuracies.clone();
    }

    /** @return the two-sided p-value of the concept's mean among the random concepts' means */
    public double pValue() {
        return pValue;
    }

    /** @return whether the p-value is below the test's alpha: the concept matters for the class at this layer */
    public boolean significant() {
        return significant;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%s: TCAV %.3f +- %.3f, p = %.3g%s", concept, mean(),
                standardDeviation(), pValue, significant ? " (significant)" : "");
    }
}
