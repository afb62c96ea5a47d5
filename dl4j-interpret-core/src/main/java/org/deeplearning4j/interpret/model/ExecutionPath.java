package org.deeplearning4j.interpret.model;

/** Which engine runs a model's forward and backward passes. */
public enum ExecutionPath {
    /** The fast SameDiff mirror when every layer is supported, else the DL4J-layer fallback (logged once). */
    AUTO,
    /** Always the SameDiff mirror; building the model fails if a layer is unsupported. */
    SAMEDIFF,
    /** Always DL4J's own layers (slower, covers every layer type DL4J can backpropagate). */
    DL4J_LAYERS
}
