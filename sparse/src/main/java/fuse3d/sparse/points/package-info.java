/**
 * Point ops and RoI pooling with OpenPCDet's semantics: farthest point sampling, ball query, grouping and
 * three-NN interpolation (PointNet++ as in {@code pcdet/ops/pointnet2}), points-in-boxes and RoI-aware pooling
 * ({@code pcdet/ops/roiaware_pool3d}), and Voxel R-CNN's RoI-grid pooling: grid points in each RoI, voxel query
 * and the neighbour-voxel set abstraction ({@code pointnet2_stack/voxel_query*}, {@code voxel_pool_modules}).
 *
 * <p>Geometry is computed in float32, as the CUDA kernels do, so that the same inputs select the same points;
 * the differentiable outputs (grouped, interpolated and pooled features) keep the dtype of their features, so
 * float64 features give float64 results for gradient checks. Index outputs are int32 as in the reference.
 * Boxes are (x, y, z, dx, dy, dz, heading) with z at the box centre; voxel coordinates are (batch, z, y, x).
 */
package fuse3d.sparse.points;
