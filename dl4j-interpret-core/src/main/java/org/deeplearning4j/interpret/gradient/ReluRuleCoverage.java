package org.deeplearning4j.interpret.gradient;

import org.deeplearning4j.interpret.internal.engine.ActivationRules;
import java.util.List;

/**
 * Where a model's {@link ReluRule}s act: the layers whose non-linearity is a rectifier (the rule applies) and the
 * non-linear layers that keep their true derivative under every rule ({@link ActivationRules} says which are which).
 */
public final class ReluRuleCoverage {
    private final List<String> applied;
    private final List<String> exact;

    /**
     * @param applied "layer (activation)" for every rectifier
     * @param exact "layer (activation)" for every other non-linear activation
     */
    public ReluRuleCoverage(List<String> applied, List<String> exact) {
        this.applied = List.copyOf(applied);
        this.exact = List.copyOf(exact);
    }

    /** @return the layers where the rules apply */
    public List<String> applied() {
        return applied;
    }

    /** @return the non-linear layers that keep their true derivative */
    public List<String> exact() {
        return exact;
    }

    @Override
    public String toString() {
        return "rules at " + applied + "; true derivative at " + exact;
    }
}
