/**
 * From points to voxel features, as OpenPCDet does it: the voxel grid of a point-cloud range and voxel size
 * ({@link fuse3d.sparse.voxel.VoxelGrid}), hard first-come voxelization with caps
 * ({@link fuse3d.sparse.voxel.Voxelizer}, spconv's Point2VoxelCPU rule), dynamic voxelization and per-voxel
 * mean/max of point features ({@link fuse3d.sparse.voxel.DynamicVoxelizer}, {@link fuse3d.sparse.voxel.DynamicScatter}),
 * the VFEs ({@link fuse3d.sparse.voxel.MeanVFE}, {@link fuse3d.sparse.voxel.PillarVFE},
 * {@link fuse3d.sparse.voxel.DynamicPillarVFE}, {@link fuse3d.sparse.voxel.DynamicMeanVFE}), PointPillars' BEV scatter
 * ({@link fuse3d.sparse.voxel.PointPillarScatter}) and a seeded synthetic LiDAR scan for tests and benchmarks
 * ({@link fuse3d.sparse.voxel.SyntheticScan}).
 *
 * <p>Coordinates are (z, y, x) per cloud and (batch, z, y, x) once collated; a point is inside the grid when
 * {@code floor((p - min) / size)} (float32) lies in [0, grid) on every axis, i.e. min inclusive, max exclusive;
 * NaN coordinates are outside.
 */
package fuse3d.sparse.voxel;
