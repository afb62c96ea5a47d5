/** Raw array export for Python users (NumPy {@code .npy}). */
package org.deeplearning4j.interpret.io;
