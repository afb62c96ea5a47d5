/**
 * Segmentations of images into feature groups (superpixels, grid cells, user masks) for the perturbation methods
 * that attribute to groups of pixels: LIME, KernelSHAP, Shapley value sampling and feature ablation.
 */
package org.deeplearning4j.interpret.segmentation;
