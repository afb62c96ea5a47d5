/** DL4J zoo models (VGG, ResNet) with their input conventions, for interpretation. */
package org.deeplearning4j.interpret.zoo;
