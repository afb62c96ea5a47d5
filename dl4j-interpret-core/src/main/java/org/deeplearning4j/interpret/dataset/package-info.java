/**
 * Dataset-example search: the real inputs (and the crops of them each unit sees) that drive hidden units most,
 * least and at random; image-folder streaming.
 */
package org.deeplearning4j.interpret.dataset;
