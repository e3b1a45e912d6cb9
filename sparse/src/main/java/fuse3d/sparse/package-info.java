/**
 * The sparse 3D world, with OpenPCDet's conventions: LiDAR frame, boxes (x, y, z, dx, dy, dz, heading) with z at
 * the box centre, voxel coordinates (batch, z, y, x), point-cloud range and voxel size as in its configs.
 * Sub-packages: {@code voxel} (voxelization, VFEs, BEV scatter), {@code conv} (SparseTensor, rulebooks, sparse
 * convolutions, backbones), {@code box} (geometry, IoU, NMS, coders, anchors, frames), {@code points} (point ops,
 * RoI pooling) and {@code bev} (camera-to-BEV pooling).
 */
package fuse3d.sparse;
