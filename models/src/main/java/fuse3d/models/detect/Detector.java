package fuse3d.models.detect;

import fuse3d.nn.Module;

import java.util.List;

/**
 * A 3D detector as training, evaluation and inference see it: loss terms for a labelled batch (in training mode)
 * and post-processed detections per frame (in eval mode), over a {@link Module} that holds its parameters.
 */
public interface Detector {
    /** The module tree (parameters, buffers, train/eval mode, state dict). */
    Module module();

    /** Class names in class-id order (id 1 is the first). */
    List<String> classNames();

    /** Training forward: the loss terms for a labelled batch. The module must be in training mode. */
    LossTerms losses(Batch batch);

    /** Inference forward: the post-processed detections of every frame of the batch, in batch order. */
    List<Detections> predict(Batch batch);
}
