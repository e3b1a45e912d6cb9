package fuse3d.sparse.conv;

import java.util.Map;

/**
 * What OpenPCDet's 3D sparse backbones add to the batch dict: the encoded sparse tensor and its stride, and the
 * multi-scale features x_conv1..x_conv4 with their strides (1, 2, 4, 8), which Voxel R-CNN's RoI-grid pooling reads.
 */
public record SparseBackboneOutput(SparseTensor encodedSpconvTensor, int encodedSpconvTensorStride,
                                   Map<String, SparseTensor> multiScale3dFeatures, Map<String, Integer> multiScale3dStrides) {}
