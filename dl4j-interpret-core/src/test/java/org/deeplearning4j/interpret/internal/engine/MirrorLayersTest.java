package org.deeplearning4j.interpret.internal.engine;

import org.deeplearning4j.interpret.gradient.LayerCatalogue;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The mirror's per-layer rules and the catalogue say the same thing: a layer has a rule exactly when the catalogue
 * lists it on the fast path (and the catalogue's test checks each against finite differences).
 */
class MirrorLayersTest {

    @Test
    void everyLayerWithAMirrorRuleIsOnTheCataloguesFastPathAndNoOtherLayerIs() {
        Set<Class<?>> fastPath = LayerCatalogue.entries().stream()
                .filter(e -> e.kind().equals("layer") && e.status() == LayerCatalogue.Status.FAST_PATH)
                .map(LayerCatalogue.Entry::type).collect(Collectors.toSet());
        assertEquals(fastPath, MirrorLayers.RULES.keySet());
    }
}
