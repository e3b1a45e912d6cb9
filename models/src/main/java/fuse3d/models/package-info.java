/**
 * The three systems of Fuse3D and the detection parts they share. {@code detect} holds the types every detector
 * speaks ({@link fuse3d.models.detect.Batch}, {@link fuse3d.models.detect.Detections},
 * {@link fuse3d.models.detect.LossTerms}, {@link fuse3d.models.detect.Detector}); {@code config} the YAML
 * configuration binder; {@code dense} the 2D BEV backbone and the anchor head with its targets, losses and
 * proposal layer; {@code roi} the configurable RoI head (grid pooling over feature streams, stages, proposal
 * targets, losses); {@code voxelrcnn} the assembled Voxel R-CNN; {@code train} the dataset pipeline, data loader,
 * trainer, evaluation and inference around any {@link fuse3d.models.detect.Detector}.
 */
package fuse3d.models;
