/**
 * DL4J zoo models (VGG, ResNet, small networks) with their input conventions, for interpretation. One front door:
 * {@link org.deeplearning4j.interpret.zoo.Zoo} lists the entries; each
 * {@link org.deeplearning4j.interpret.zoo.ZooEntry} builds the architecture (random or pretrained), loads saved
 * weights, names its layers and wraps a graph with the right input spec.
 */
package org.deeplearning4j.interpret.zoo;
