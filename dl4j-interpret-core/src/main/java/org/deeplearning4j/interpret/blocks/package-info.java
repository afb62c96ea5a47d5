/**
 * The meaning of hidden locations (Olah et al., "The Building Blocks of Interpretability", Distill 2018): activation
 * grids, semantic dictionaries, spatial and channel attribution and neuron groups, in
 * {@link org.deeplearning4j.interpret.blocks.BuildingBlocks}; the page is rendered by
 * {@code render.BuildingBlocksPage}.
 */
package org.deeplearning4j.interpret.blocks;
