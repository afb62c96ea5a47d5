package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.gradient.LayerCatalogue;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each layer type's knowledge sits in its {@link LayerRules}, registered once in {@link LayerRegistry}; the catalogue
 * is derived from the registry, and the rules of one type are complete (its finite-difference checks are in
 * {@code LayerCatalogueTest}).
 */
class LayerRulesTest {

    /** @return the class that declares the most specific implementation of a {@link LayerRules} method */
    private static Class<?> declaring(LayerRules<?> rules, String method) {
        for (Class<?> c = rules.getClass(); c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(method) && !m.isBridge() && !m.isSynthetic()) {
                    return c;
                }
            }
        }
        throw new AssertionError("no method " + method);
    }

    @Test
    void theCataloguesLayerRowsAreTheRegistryInOrderWithStatusesFollowingFromTheRules() {
        List<Class<?>> registered = LayerRegistry.registrations().stream().map(LayerRegistry.Registration::type)
                .collect(Collectors.toList());
        List<Class<?>> catalogued = LayerCatalogue.entries().stream().filter(e -> e.kind().equals("layer"))
                .map(LayerCatalogue.Entry::type).collect(Collectors.toList());
        assertEquals(registered, catalogued);
        for (LayerRegistry.Registration r : LayerRegistry.registrations()) {
            LayerCatalogue.Entry e = LayerCatalogue.entries().stream().filter(x -> x.type() == r.type()).findFirst()
                    .orElseThrow();
            LayerCatalogue.Status expected = r.rules().refusal() != null ? LayerCatalogue.Status.REFUSED
                    : r.rules().mirrored() ? LayerCatalogue.Status.FAST_PATH : LayerCatalogue.Status.DL4J_LAYERS;
            assertEquals(expected, e.status(), r.type().getSimpleName());
        }
    }

    @Test
    void everyLayerTypeOnTheFastPathHasItsOwnTranslation() {
        Set<String> missing = LayerRegistry.registrations().stream()
                .filter(r -> r.rules().mirrored() && declaring(r.rules(), "mirror") == LayerRules.class)
                .map(r -> r.type().getSimpleName()).collect(Collectors.toSet());
        assertEquals(Set.of(), missing);
    }

    @Test
    void aLayerTypeWithRelevanceRulesHasAllFourOfThem() {
        List<String> partial = new ArrayList<>();
        for (LayerRegistry.Registration r : LayerRegistry.registrations()) {
            long own = List.of("walkRefusal", "lrp", "deepLift", "revealCancel", "delta").stream()
                    .filter(m -> declaring(r.rules(), m) != LayerRules.class).count();
            if (own != 0 && own != 5) {
                partial.add(r.type().getSimpleName() + " (" + own + " of 5)");
            }
        }
        assertEquals(List.of(), partial);
    }

    @Test
    void layersWithWeightsAreTheOnesTheLrpCompositeAddresses() {
        Set<String> linear = LayerRegistry.registrations().stream().filter(r -> r.rules().parameterLinear())
                .map(r -> r.type().getSimpleName()).collect(Collectors.toSet());
        assertEquals(Set.of("ConvolutionLayer", "Convolution2D", "Deconvolution2D", "DepthwiseConvolution2D",
                "DenseLayer", "OutputLayer", "CenterLossOutputLayer"), linear);
        assertTrue(LayerRegistry.registrations().stream().filter(r -> r.rules().parameterLinear())
                .allMatch(r -> r.rules() instanceof LinearLayerRules));
    }
}
